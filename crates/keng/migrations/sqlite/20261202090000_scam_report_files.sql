-- Screenshots and documents a person sends with a scam report (the newsroom's upload
-- rules: images and PDF by their first bytes, at most 10 MB each), kept in the blob
-- store by SHA-256; the unused JSON column they were once planned in goes.
-- Keep in step with the other backend's file of the same name (a test compares them).

CREATE TABLE scam_report_files (
    report_id TEXT NOT NULL REFERENCES scam_reports(id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);
CREATE INDEX scam_report_files_sha ON scam_report_files (sha256);

ALTER TABLE scam_reports DROP COLUMN attachments;
