-- Public warnings (cảnh báo): scam methods, traffic on key routes, security alerts.
-- Every version is kept; every CAP message issued is kept as sent (updates and cancels
-- reference the earlier ones). Keep in step with the other backend's file of the same
-- name (a test compares them).

CREATE TABLE communes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    is_test BOOLEAN NOT NULL DEFAULT FALSE,
    headline TEXT NOT NULL,
    headline_en TEXT,
    happened TEXT NOT NULL,
    happened_en TEXT,
    signs TEXT NOT NULL,
    signs_en TEXT,
    advice TEXT NOT NULL,
    advice_en TEXT,
    contact TEXT NOT NULL,
    severity TEXT NOT NULL,
    urgency TEXT NOT NULL,
    certainty TEXT NOT NULL,
    area_desc TEXT NOT NULL,
    communes TEXT NOT NULL,
    routes TEXT NOT NULL,
    polygons TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    submitted_by TEXT REFERENCES users(id),
    approved_by TEXT REFERENCES users(id),
    published_at BIGINT,
    cancelled_at BIGINT,
    cancel_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX warnings_state ON warnings (state, is_test, valid_from);

CREATE TABLE warning_versions (
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    version BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (warning_id, version)
);

CREATE TABLE warning_links (
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    PRIMARY KEY (warning_id, bulletin_id)
);

CREATE TABLE warning_messages (
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    seq BIGINT NOT NULL,
    identifier TEXT NOT NULL UNIQUE,
    sent TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    xml TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (warning_id, seq)
);
