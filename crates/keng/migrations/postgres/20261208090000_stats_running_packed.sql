-- Running totals packed per unit and day (see stats/running.rs): one row holds every
-- measure's totals of a unit's own figures, or of its whole subtree, at a day
-- (keng_stats::running's format), so a report reads a row per unit instead of one per
-- unit and measure, and a rebuild writes sixty times fewer rows. The rows are derived
-- data: the old ones are dropped and the state cleared, so reports scan the figures
-- until `keng stats rebuild` builds them again. Keep in step with the other backend's
-- file of the same name.

DROP TABLE stat_running;
DROP TABLE stat_series;
DELETE FROM stat_running_state;

CREATE TABLE stat_running (
    day INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    subtree BOOLEAN NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (day, unit_id, subtree)
);
-- Kept in the row (compressed) rather than in TOAST: a report reads hundreds of them.
ALTER TABLE stat_running ALTER COLUMN body SET STORAGE MAIN;

-- A series' days (the follower recomputes one from a day on).
CREATE INDEX stat_running_series ON stat_running (unit_id, subtree, day);

-- The published figures of a period that carry a data-quality note (the public
-- figures' answer names the notes). The note itself is not a key: PostgreSQL refuses
-- index entries over 2,704 bytes, and a note may be longer.
CREATE INDEX stat_submissions_noted ON stat_submissions (period_from, period_to, unit_id)
    WHERE quality_note IS NOT NULL AND is_current = TRUE AND published = TRUE;
