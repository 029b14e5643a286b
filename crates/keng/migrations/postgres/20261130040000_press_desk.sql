-- Press desk: journalists' requests with their working-day clocks, field-work permits,
-- the working calendar's adjustments, the spokesperson registry's mandates, personal
-- notifications, and the keys that sign tokens given out on paper (permit QR codes).
-- Keep in step with the other backend's file of the same name (a test compares them).

CREATE TABLE press_requests (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    journalist_id TEXT NOT NULL REFERENCES users(id),
    agency_id TEXT REFERENCES agencies(id),
    topic TEXT NOT NULL,
    questions TEXT NOT NULL,
    wished_from BIGINT,
    wished_until BIGINT,
    unit_id TEXT REFERENCES units(id),
    assignee_id TEXT REFERENCES users(id),
    incident_id TEXT REFERENCES incidents(id),
    bulletin_id TEXT REFERENCES bulletins(id),
    due_at BIGINT NOT NULL,
    scheduled_from BIGINT,
    scheduled_until BIGINT,
    officer_id TEXT REFERENCES users(id),
    place TEXT,
    answer TEXT,
    answered_at BIGINT,
    answered_by TEXT REFERENCES users(id),
    refusal_ground TEXT,
    refusal_note TEXT,
    note TEXT,
    reminded_at BIGINT,
    escalated_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX press_requests_open ON press_requests(state, due_at);
CREATE INDEX press_requests_journalist ON press_requests(journalist_id, created_at);
CREATE INDEX press_requests_agency ON press_requests(agency_id, created_at);
CREATE INDEX press_requests_unit ON press_requests(unit_id, created_at);
CREATE INDEX press_requests_created ON press_requests(created_at);

CREATE TABLE press_permits (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE REFERENCES press_requests(id),
    journalist_id TEXT NOT NULL REFERENCES users(id),
    agency_id TEXT REFERENCES agencies(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    officer_id TEXT REFERENCES users(id),
    place TEXT,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT REFERENCES users(id),
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users(id),
    revoke_reason TEXT
);
CREATE INDEX press_permits_journalist ON press_permits(journalist_id, valid_from);

CREATE TABLE work_calendar_days (
    day TEXT PRIMARY KEY,
    working BOOLEAN NOT NULL,
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE spokesperson_mandates (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    scope TEXT NOT NULL,
    topics TEXT,
    unit_ids TEXT,
    phone TEXT,
    email TEXT,
    valid_until BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

CREATE TABLE signing_keys (
    purpose TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
