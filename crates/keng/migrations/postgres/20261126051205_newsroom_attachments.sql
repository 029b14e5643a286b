-- Bulletin attachments: files stored content-addressed (SHA-256) in the data dir, their
-- type decided by content, one row per bulletin and file.
-- Keep in step with the other backend's 0004_attachments.sql.

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    caption TEXT,
    width BIGINT,
    height BIGINT,
    thumb_sha TEXT,
    medium_sha TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (bulletin_id, sha256)
);
CREATE INDEX attachments_sha ON attachments(sha256);
CREATE INDEX attachments_thumb ON attachments(thumb_sha);
CREATE INDEX attachments_medium ON attachments(medium_sha);
