-- Security figures (số liệu): the catalogue of what is counted (fields of work and
-- their measures, each with its unit, whether it is whole and whether it may be summed,
-- the measure it may not fall below and the largest value it may take), the figures units submit for a day, a week
-- or a month (every submission a version: approved figures are never overwritten, a
-- correction is a new version with its reason, and exactly one version per unit and
-- period is current), and peak campaigns with their targets. Dates are local days
-- written YYYY-MM-DD. Keep in step with the other backend's file of the same name (a
-- test compares them).

CREATE TABLE stat_fields (
    id TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    verb_vi TEXT NOT NULL,
    object_vi TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE stat_measures (
    id TEXT PRIMARY KEY,
    field_id TEXT NOT NULL REFERENCES stat_fields(id),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit_vi TEXT NOT NULL,
    unit_en TEXT NOT NULL,
    whole BOOLEAN NOT NULL,
    summable BOOLEAN NOT NULL,
    at_least TEXT REFERENCES stat_measures(id),
    in_narrative BOOLEAN NOT NULL,
    max_value DOUBLE PRECISION,
    position BIGINT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX stat_measures_field ON stat_measures (field_id, position);

CREATE TABLE stat_submissions (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    period_kind TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT FALSE,
    reason TEXT,
    source TEXT NOT NULL,
    submitted_by TEXT REFERENCES users(id),
    submitted_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    decision_note TEXT,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    quality_note TEXT,
    published_at BIGINT,
    UNIQUE (unit_id, period_from, period_to, version)
);
CREATE INDEX stat_submissions_current ON stat_submissions (is_current, period_from, period_to);
CREATE INDEX stat_submissions_unit ON stat_submissions (unit_id, period_from);
CREATE INDEX stat_submissions_state ON stat_submissions (state, submitted_at);

CREATE TABLE stat_values (
    submission_id TEXT NOT NULL REFERENCES stat_submissions(id),
    measure_id TEXT NOT NULL REFERENCES stat_measures(id),
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (submission_id, measure_id)
);
CREATE INDEX stat_values_measure ON stat_values (measure_id);

CREATE TABLE stat_campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    rule TEXT,
    units TEXT NOT NULL,
    targets TEXT NOT NULL,
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX stat_campaigns_period ON stat_campaigns (period_from);

-- The catalogue every province starts with (an administrator edits it).

INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('ttxh', 'Tội phạm về trật tự xã hội', 'Social-order crime', 'phát hiện, điều tra, xử lý', 'phạm tội và vi phạm pháp luật về trật tự xã hội', 1, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('trom_cap', 'Trộm cắp tài sản', 'Theft', 'điều tra, làm rõ', 'trộm cắp tài sản', 2, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('ma_tuy', 'Ma tuý', 'Drugs', 'phát hiện, bắt giữ', 'liên quan đến ma tuý', 3, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('kinh_te', 'Kinh tế, chức vụ', 'Economic crime and corruption', 'phát hiện', 'vi phạm pháp luật về kinh tế, tham nhũng, chức vụ', 4, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('moi_truong', 'Môi trường', 'Environment', 'phát hiện, xử lý', 'vi phạm pháp luật về môi trường', 5, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('cong_nghe_cao', 'Công nghệ cao', 'High-tech crime', 'phát hiện, xử lý', 'sử dụng công nghệ cao để phạm tội, lừa đảo chiếm đoạt tài sản', 6, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('giao_thong', 'Trật tự, an toàn giao thông', 'Road traffic', 'xảy ra', '', 7, 0, 0);
INSERT INTO stat_fields (id, name_vi, name_en, verb_vi, object_vi, position, created_at, updated_at) VALUES ('chay_no', 'Cháy, nổ', 'Fire and explosions', 'xảy ra', '', 8, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ttxh.cases', 'ttxh', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 1, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ttxh.subjects', 'ttxh', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'ttxh.cases', TRUE, NULL, 2, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ttxh.cleared', 'ttxh', 'Số vụ điều tra làm rõ', 'Cases cleared', 'vụ', 'cases', TRUE, TRUE, NULL, FALSE, NULL, 3, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ttxh.clearance_rate', 'ttxh', 'Tỷ lệ điều tra làm rõ', 'Clearance rate', '%', '%', FALSE, FALSE, NULL, FALSE, 100, 4, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('trom_cap.cases', 'trom_cap', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 5, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('trom_cap.subjects', 'trom_cap', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'trom_cap.cases', TRUE, NULL, 6, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ma_tuy.cases', 'ma_tuy', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 7, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ma_tuy.subjects', 'ma_tuy', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'ma_tuy.cases', TRUE, NULL, 8, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ma_tuy.heroin_g', 'ma_tuy', 'Heroin thu giữ', 'Heroin seized', 'gam', 'g', FALSE, TRUE, NULL, FALSE, NULL, 9, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ma_tuy.synthetic_g', 'ma_tuy', 'Ma tuý tổng hợp thu giữ', 'Synthetic drugs seized', 'gam', 'g', FALSE, TRUE, NULL, FALSE, NULL, 10, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('ma_tuy.pills', 'ma_tuy', 'Ma tuý dạng viên thu giữ', 'Drug pills seized', 'viên', 'pills', TRUE, TRUE, NULL, FALSE, NULL, 11, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('kinh_te.cases', 'kinh_te', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 12, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('kinh_te.subjects', 'kinh_te', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'kinh_te.cases', TRUE, NULL, 13, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('kinh_te.recovered_vnd', 'kinh_te', 'Tiền, tài sản thu hồi', 'Money and assets recovered', 'đồng', 'VND', TRUE, TRUE, NULL, FALSE, NULL, 14, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('moi_truong.cases', 'moi_truong', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 15, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('moi_truong.subjects', 'moi_truong', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'moi_truong.cases', TRUE, NULL, 16, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('cong_nghe_cao.cases', 'cong_nghe_cao', 'Số vụ', 'Cases', 'vụ', 'cases', TRUE, TRUE, NULL, TRUE, NULL, 17, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('cong_nghe_cao.subjects', 'cong_nghe_cao', 'Số đối tượng', 'Subjects', 'đối tượng', 'subjects', TRUE, TRUE, 'cong_nghe_cao.cases', TRUE, NULL, 18, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('cong_nghe_cao.recovered_vnd', 'cong_nghe_cao', 'Tiền thu hồi cho bị hại', 'Money recovered for victims', 'đồng', 'VND', TRUE, TRUE, NULL, FALSE, NULL, 19, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('giao_thong.accidents', 'giao_thong', 'Số vụ tai nạn', 'Accidents', 'vụ tai nạn giao thông', 'accidents', TRUE, TRUE, NULL, TRUE, NULL, 20, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('giao_thong.deaths', 'giao_thong', 'Số người chết', 'Deaths', 'người chết', 'deaths', TRUE, TRUE, NULL, TRUE, NULL, 21, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('giao_thong.injuries', 'giao_thong', 'Số người bị thương', 'Injuries', 'người bị thương', 'injured', TRUE, TRUE, NULL, TRUE, NULL, 22, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('giao_thong.violations', 'giao_thong', 'Vi phạm đã xử lý', 'Violations handled', 'trường hợp', 'violations', TRUE, TRUE, NULL, FALSE, NULL, 23, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('giao_thong.fines_vnd', 'giao_thong', 'Tiền phạt', 'Fines', 'đồng', 'VND', TRUE, TRUE, NULL, FALSE, NULL, 24, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('chay_no.fires', 'chay_no', 'Số vụ cháy, nổ', 'Fires and explosions', 'vụ cháy, nổ', 'fires', TRUE, TRUE, NULL, TRUE, NULL, 25, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('chay_no.deaths', 'chay_no', 'Số người chết', 'Deaths', 'người chết', 'deaths', TRUE, TRUE, NULL, TRUE, NULL, 26, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('chay_no.injuries', 'chay_no', 'Số người bị thương', 'Injuries', 'người bị thương', 'injured', TRUE, TRUE, NULL, TRUE, NULL, 27, 0, 0);
INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, max_value, position, created_at, updated_at) VALUES ('chay_no.damage_vnd', 'chay_no', 'Thiệt hại ước tính', 'Estimated damage', 'đồng', 'VND', TRUE, TRUE, NULL, FALSE, NULL, 28, 0, 0);
