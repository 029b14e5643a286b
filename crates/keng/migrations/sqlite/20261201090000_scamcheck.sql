-- Scam check: indicators (phone numbers, bank accounts, links, profiles, apps, wallets)
-- with their status and evidence; the bank list (NAPAS BINs) an admin keeps; the
-- scam-pattern lexicon staff keep; reports from the public with a tracking code.
-- Keep in step with the other backend's file of the same name (a test compares them).

CREATE TABLE scam_banks (
    bin TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL
);

CREATE TABLE scam_indicators (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    lookup_key TEXT NOT NULL UNIQUE,
    display TEXT NOT NULL,
    status TEXT NOT NULL,
    report_count BIGINT NOT NULL DEFAULT 0,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    warning_ids TEXT NOT NULL DEFAULT '[]',
    incident TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scam_indicators_status ON scam_indicators (status, updated_at);

CREATE TABLE scam_patterns (
    id TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    advice_vi TEXT NOT NULL DEFAULT '',
    advice_en TEXT NOT NULL DEFAULT '',
    warning_id TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE scam_phrases (
    id TEXT PRIMARY KEY,
    pattern_id TEXT NOT NULL REFERENCES scam_patterns(id),
    phrase TEXT NOT NULL,
    weight_tenths BIGINT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scam_phrases_pattern ON scam_phrases (pattern_id);

CREATE TABLE scam_reports (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    indicators TEXT NOT NULL,
    story TEXT NOT NULL,
    happened_on TEXT NOT NULL DEFAULT '',
    amount_lost BIGINT NOT NULL DEFAULT 0,
    channel TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_contact TEXT NOT NULL DEFAULT '',
    reporter_id_number TEXT NOT NULL DEFAULT '',
    reporter_address TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    merged_into TEXT,
    staff_note TEXT NOT NULL DEFAULT '',
    client_key TEXT NOT NULL DEFAULT '',
    pow_id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scam_reports_status ON scam_reports (status, created_at);
CREATE INDEX scam_reports_client ON scam_reports (client_key, created_at);

-- The secret the report form's proof-of-work challenges are signed with (one row,
-- made by the first node that needs it, shared by all).
CREATE TABLE scam_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
