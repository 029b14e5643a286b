-- The yearly review's records (coverage, second part): who wrote each story (the
-- article's byline, or what the press office typed for print, radio and TV); the kinds
-- of commendation the department gives and the awards recorded, each with its decision
-- and the evidence it was given on; the press agencies' answers to the yearly survey
-- on the coordination; and the warnings the press carried. Times are Unix milliseconds, dates YYYY-MM-DD. Keep in
-- step with the other backend's file of the same name (a test compares them).

ALTER TABLE coverage ADD COLUMN journalist TEXT;
-- The review reads coverage by the time its bulletins were released.
CREATE INDEX coverage_released ON coverage (bulletin_released_at);

CREATE TABLE award_types (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    rank BIGINT NOT NULL,
    recipients TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
INSERT INTO award_types (id, name, name_en, rank, recipients, active, created_at) VALUES
    ('bang_khen_bo_truong', 'Bằng khen của Bộ trưởng Bộ Công an', 'Certificate of merit of the Minister of Public Security', 40, 'both', TRUE, 0),
    ('bang_khen_chu_tich_tinh', 'Bằng khen của Chủ tịch UBND tỉnh', 'Certificate of merit of the Chairman of the Provincial People''s Committee', 30, 'both', TRUE, 0),
    ('giay_khen_giam_doc', 'Giấy khen của Giám đốc Công an tỉnh', 'Certificate of the Director of the Provincial Police', 20, 'both', TRUE, 0),
    ('thuong_dot_xuat', 'Thưởng đột xuất', 'Special reward', 10, 'both', TRUE, 0);

CREATE TABLE awards (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    type_id TEXT NOT NULL REFERENCES award_types(id),
    recipient_kind TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies(id),
    unit_id TEXT REFERENCES units(id),
    user_id TEXT REFERENCES users(id),
    recipient_name TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    recipient_detail TEXT,
    decision_no TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT,
    state TEXT NOT NULL,
    revoked_reason TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX awards_year ON awards (year, state);
-- One honour of a kind a year for a recipient (the key names the agency, the unit, the
-- person's account, or their folded name at their agency); a revoked award frees it.
CREATE UNIQUE INDEX awards_once ON awards (year, type_id, recipient_key) WHERE state = 'recorded';

CREATE TABLE press_surveys (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    timeliness BIGINT NOT NULL,
    usefulness BIGINT NOT NULL,
    access BIGINT NOT NULL,
    comment TEXT,
    answered_by TEXT NOT NULL REFERENCES users(id),
    answered_at BIGINT NOT NULL,
    UNIQUE (year, agency_id)
);

-- Warnings the press carried (scam warnings reach people through the press): found by
-- the monitor's matcher, once per article and warning.
CREATE TABLE warning_coverage (
    id TEXT PRIMARY KEY,
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    warning_published_at BIGINT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    article_id TEXT REFERENCES press_articles(id),
    title TEXT NOT NULL,
    url TEXT,
    journalist TEXT,
    published_at BIGINT NOT NULL,
    confidence DOUBLE PRECISION,
    evidence TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (warning_id, article_id)
);
CREATE INDEX warning_coverage_agency ON warning_coverage (agency_id, warning_published_at);
CREATE INDEX warning_coverage_published ON warning_coverage (warning_published_at);
