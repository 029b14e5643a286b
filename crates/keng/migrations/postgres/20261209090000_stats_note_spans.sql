-- The data-quality notes of published figures (see stats/notes.rs): per unit and note,
-- the first and last day a published figure carrying it starts on, widened by the
-- transaction that publishes; the public answer probes the noted figures of each span
-- that reaches into its period instead of reading every noted figure of the period.
-- Filled here from the figures. The noted figures' index leads with the unit for those
-- probes. Keep in step with the other backend's file of the same name.

CREATE TABLE stat_note_spans (
    unit_id TEXT NOT NULL,
    note TEXT NOT NULL,
    first_from TEXT NOT NULL,
    last_from TEXT NOT NULL
);
CREATE INDEX stat_note_spans_unit ON stat_note_spans (unit_id);

INSERT INTO stat_note_spans (unit_id, note, first_from, last_from)
SELECT unit_id, quality_note, MIN(period_from), MAX(period_from) FROM stat_submissions
 WHERE quality_note IS NOT NULL AND is_current = TRUE AND published = TRUE
 GROUP BY unit_id, quality_note;

DROP INDEX stat_submissions_noted;
CREATE INDEX stat_submissions_noted ON stat_submissions (unit_id, period_from, period_to)
    WHERE quality_note IS NOT NULL AND is_current = TRUE AND published = TRUE;
