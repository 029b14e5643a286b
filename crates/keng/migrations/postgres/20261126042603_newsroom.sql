-- Newsroom: incidents (vụ việc) with the initial-information clock, bulletins with every
-- version kept, and the units a bulletin involves.
-- Keep in step with the other backend's 0002_newsroom.sql (a test compares the schemas).

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT,
    place TEXT,
    unit_id TEXT REFERENCES units(id),
    occurred_at BIGINT NOT NULL,
    public_concern BOOLEAN NOT NULL DEFAULT FALSE,
    deadline_at BIGINT,
    first_info_at BIGINT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_deadline ON incidents(public_concern, first_info_at, deadline_at);

CREATE TABLE bulletins (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_html TEXT NOT NULL,
    places TEXT NOT NULL,
    tags TEXT NOT NULL,
    video_links TEXT NOT NULL,
    audience TEXT NOT NULL,
    embargo_until BIGINT,
    publish_at BIGINT,
    incident_id TEXT REFERENCES incidents(id),
    unit_id TEXT REFERENCES units(id),
    spokesperson_id TEXT REFERENCES users(id),
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    author_id TEXT REFERENCES users(id),
    submitted_by TEXT REFERENCES users(id),
    approved_by TEXT REFERENCES users(id),
    self_approved BOOLEAN NOT NULL DEFAULT FALSE,
    published_by TEXT REFERENCES users(id),
    published_at BIGINT,
    released_at BIGINT,
    press_released_at BIGINT,
    corrected_at BIGINT,
    correction_note TEXT,
    withdrawn_at BIGINT,
    withdrawal_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX bulletins_state ON bulletins(state, released_at);
CREATE INDEX bulletins_incident ON bulletins(incident_id);
CREATE INDEX bulletins_category ON bulletins(category, released_at);

CREATE TABLE bulletin_versions (
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_html TEXT NOT NULL,
    category TEXT NOT NULL,
    places TEXT NOT NULL,
    tags TEXT NOT NULL,
    video_links TEXT NOT NULL,
    audience TEXT NOT NULL,
    embargo_until BIGINT,
    note TEXT,
    author_id TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (bulletin_id, version)
);

CREATE TABLE bulletin_units (
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    PRIMARY KEY (bulletin_id, unit_id)
);
CREATE INDEX bulletin_units_unit ON bulletin_units(unit_id);
