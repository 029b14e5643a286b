-- Press monitoring (coverage): each press agency's feeds and sitemaps, polled politely
-- by one node at a time (a lease in the row, never a node's memory); the articles
-- found, each address once; which bulletin each reports on (coverage: matched by the
-- machine, confirmed by a person, or recorded by hand for print, radio and TV), with
-- the confidence and its evidence; and the matches a person must look at. Times are
-- Unix milliseconds. Keep in step with the other backend's file of the same name (a
-- test compares them).

CREATE TABLE press_feeds (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    etag TEXT,
    last_modified TEXT,
    next_fetch_at BIGINT NOT NULL,
    lease_until BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    last_status BIGINT,
    last_error TEXT,
    last_fetched_at BIGINT,
    items_seen BIGINT NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX press_feeds_due ON press_feeds (active, next_fetch_at);

CREATE TABLE press_articles (
    id TEXT PRIMARY KEY,
    feed_id TEXT NOT NULL REFERENCES press_feeds(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    author TEXT,
    summary TEXT,
    published_at BIGINT,
    found_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    lease_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    fetched_at BIGINT,
    body TEXT,
    links TEXT,
    error TEXT,
    best_bulletin_id TEXT,
    best_confidence DOUBLE PRECISION
);
CREATE INDEX press_articles_state ON press_articles (state, found_at);
CREATE INDEX press_articles_agency ON press_articles (agency_id, published_at);

CREATE TABLE coverage (
    id TEXT PRIMARY KEY,
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    bulletin_released_at BIGINT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    article_id TEXT REFERENCES press_articles(id),
    source TEXT NOT NULL,
    medium TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    programme TEXT,
    duration_seconds BIGINT,
    published_at BIGINT NOT NULL,
    confidence DOUBLE PRECISION,
    evidence TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (bulletin_id, article_id)
);
CREATE INDEX coverage_bulletin ON coverage (bulletin_id, published_at);
CREATE INDEX coverage_agency ON coverage (agency_id, published_at);

CREATE TABLE coverage_reviews (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES press_articles(id),
    bulletin_id TEXT NOT NULL REFERENCES bulletins(id),
    confidence DOUBLE PRECISION NOT NULL,
    evidence TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (article_id, bulletin_id)
);
CREATE INDEX coverage_reviews_state ON coverage_reviews (state, created_at);
