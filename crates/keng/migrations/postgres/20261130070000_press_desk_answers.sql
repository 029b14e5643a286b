-- Press desk, second part: when the police first responded to a request (scheduled,
-- answered or refused: the response-time report), the bulletin an answer was shared
-- as (the incident's timeline), correction requests to press agencies, the
-- bulletins tied to a press conference, and the files of a request.
-- Keep in step with the other backend's file of the same name (a test compares them).

ALTER TABLE press_requests ADD COLUMN responded_at BIGINT;
ALTER TABLE press_requests ADD COLUMN shared_bulletin_id TEXT REFERENCES bulletins(id);
UPDATE press_requests SET responded_at = answered_at WHERE answered_at IS NOT NULL;
CREATE INDEX press_requests_responded ON press_requests(responded_at) WHERE responded_at IS NOT NULL;

CREATE TABLE press_corrections (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    article_url TEXT NOT NULL,
    article_title TEXT NOT NULL,
    published_at BIGINT,
    wrong TEXT NOT NULL,
    correct TEXT NOT NULL,
    bulletin_id TEXT REFERENCES bulletins(id),
    state TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    agency_note TEXT,
    corrected_url TEXT,
    corrected_at BIGINT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX press_corrections_agency ON press_corrections(agency_id, created_at);
CREATE INDEX press_corrections_created ON press_corrections(created_at);

-- Bulletins tied to a press conference: its materials (often press-only and embargoed
-- until the start, by the newsroom's rule) and the follow-up bulletins after it.
CREATE TABLE press_event_bulletins (
    event_id TEXT NOT NULL REFERENCES press_events(id),
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    role TEXT NOT NULL,
    linked_by TEXT REFERENCES users(id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, bulletin_id)
);

-- Files of a request: the journalist's letter of introduction, press card, documents;
-- the police's answer documents. The bytes are kept by the platform's file store.
CREATE TABLE press_request_files (
    request_id TEXT NOT NULL REFERENCES press_requests(id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, sha256)
);
