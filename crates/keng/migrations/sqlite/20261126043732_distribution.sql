-- Distribution to the press: personal feed tokens, email subscriptions and the mail
-- outbox, press agencies' webhook endpoints and their delivery queue (at-least-once,
-- ordered per endpoint, retried, dead-lettered).
-- Keep in step with the other backend's 0003_distribution.sql.

CREATE TABLE feed_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX feed_tokens_user ON feed_tokens(user_id);

CREATE TABLE subscriptions (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    mode TEXT NOT NULL,
    categories TEXT NOT NULL,
    unit_ids TEXT NOT NULL,
    last_digest_at BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    sent_at BIGINT,
    dead BOOLEAN NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, dead, next_attempt_at);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL UNIQUE REFERENCES agencies(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    seq BIGINT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    bulletin_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(endpoint_id, status, seq);
CREATE INDEX webhook_deliveries_bulletin ON webhook_deliveries(bulletin_id);
