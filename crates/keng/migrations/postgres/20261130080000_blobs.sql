-- The blob store in the database (`[files] store = "database"`, the default on
-- PostgreSQL): each file once, by the SHA-256 of its bytes, in 1 MiB chunks.
-- Keep in step with the other backend's file of the same name (a test compares them).

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
