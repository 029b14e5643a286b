-- Running totals of the figures (derived data; see stats/running.rs). A series is one
-- unit's own figures or a unit's whole subtree, for one measure; stat_running holds, for
-- every day from the series' first figure to the horizon, the sum and the count of the
-- figures that count for staff and for the public whose last day is on or before that
-- day (days since 1970-01-01). A sum over any period is two rows per series. Kept current
-- from the event log by the stats.running follower; rebuilt from the figures by
-- `keng stats rebuild`. Keep in step with the other backend's file of the same name.

CREATE TABLE stat_series (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    subtree BOOLEAN NOT NULL,
    UNIQUE (unit_id, measure_id, subtree)
);

CREATE TABLE stat_running (
    day INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    staff DOUBLE PRECISION NOT NULL,
    staff_n INTEGER NOT NULL,
    pub DOUBLE PRECISION NOT NULL,
    pub_n INTEGER NOT NULL,
    PRIMARY KEY (day, series_id)
) WITHOUT ROWID;

-- One row once the totals are built: the last day they reach, and the event-log
-- position the build saw (events up to it are already in).
CREATE TABLE stat_running_state (
    id INTEGER PRIMARY KEY,
    horizon INTEGER NOT NULL,
    built_upto BIGINT NOT NULL,
    built_at BIGINT NOT NULL
);

-- Figures longer than a day, by their last day: the ones that may straddle a report's
-- edge (counted out, never prorated).
CREATE INDEX stat_submissions_long ON stat_submissions (period_to, period_from) WHERE period_kind <> 'day';
