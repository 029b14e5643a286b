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
    assigned_at BIGINT,
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
-- The press office's list: open requests by time limit without a sort (and their
-- count by state from the index alone); refusals by ground from the index alone. No
-- plain index leads with state, so the planner has no cheaper-looking wrong choice.
CREATE INDEX press_requests_open_due ON press_requests(due_at, id, state) WHERE state IN ('submitted', 'assigned', 'needs_details', 'scheduled');
CREATE INDEX press_requests_refused ON press_requests(answered_at, refusal_ground) WHERE state = 'refused';
CREATE INDEX press_requests_journalist ON press_requests(journalist_id, created_at);
CREATE INDEX press_requests_agency ON press_requests(agency_id, created_at);
CREATE INDEX press_requests_unit ON press_requests(unit_id, created_at);
CREATE INDEX press_requests_created ON press_requests(created_at DESC, id DESC);

CREATE TABLE press_permits (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES press_requests(id),
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
CREATE INDEX press_permits_request ON press_permits(request_id, issued_at);

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

-- Press conferences and other events: invited agencies, journalists' answers and
-- check-in at the door, and the personal calendar feeds that carry them.
CREATE TABLE press_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    agenda TEXT,
    place TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    speakers TEXT,
    status TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    materials_bulletin_id TEXT REFERENCES bulletins(id),
    minutes TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX press_events_start ON press_events(starts_at);

CREATE TABLE press_event_agencies (
    event_id TEXT NOT NULL REFERENCES press_events(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (event_id, agency_id)
);

CREATE TABLE press_event_answers (
    event_id TEXT NOT NULL REFERENCES press_events(id),
    journalist_id TEXT NOT NULL REFERENCES users(id),
    answer TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    checked_in_at BIGINT,
    checked_in_by TEXT REFERENCES users(id),
    PRIMARY KEY (event_id, journalist_id)
);

CREATE TABLE calendar_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX calendar_tokens_user ON calendar_tokens(user_id);
