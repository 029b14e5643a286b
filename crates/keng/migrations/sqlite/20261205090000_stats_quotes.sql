-- Figures quoted in a bulletin (trích dẫn số liệu): a report as it stood when a bulletin
-- was drafted from it (its scope, its lines and sentences, frozen as JSON: a later
-- correction never changes what a bulletin said), the draft it made, and the exact
-- versions of the figures it counted (a newer approved version supersedes one; the
-- quote keeps the one it quoted and its page says that a newer one exists). Keep in
-- step with the other backend's file of the same name (a test compares them).

CREATE TABLE stat_quotes (
    id TEXT PRIMARY KEY,
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    field_id TEXT,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    report TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX stat_quotes_bulletin ON stat_quotes (bulletin_id);

CREATE TABLE stat_quote_sources (
    quote_id TEXT NOT NULL REFERENCES stat_quotes(id),
    submission_id TEXT NOT NULL REFERENCES stat_submissions(id),
    PRIMARY KEY (quote_id, submission_id)
);
