-- How the accredited press use what they are given (platform::usage): one counter per
-- day (YYYY-MM-DD, Vietnam time), agency and use (feed, stream, download). Keep in
-- step with the other backend's file of the same name (a test compares them).

CREATE TABLE press_usage (
    day TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    what TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, agency_id, what)
);
