-- Black spots (điểm đen) and road segments on the key routes, with coordinates, that
-- traffic warnings name; kept when retired (inactive) so old warnings still show them.
-- Keep in step with the other backend's file of the same name (a test compares them).

CREATE TABLE road_places (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    route TEXT NOT NULL,
    name TEXT NOT NULL,
    note TEXT NOT NULL,
    points TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX road_places_route ON road_places (active, route);

ALTER TABLE warnings ADD COLUMN road_places TEXT NOT NULL DEFAULT '[]';
