-- A webhook delivery names the record its event concerns (a bulletin today, an alert or
-- a warning tomorrow): the platform's queue does not know any capability's records.
-- Keep in step with the other backend's file of the same name.
ALTER TABLE webhook_deliveries RENAME COLUMN bulletin_id TO subject_id;
DROP INDEX webhook_deliveries_bulletin;
CREATE INDEX webhook_deliveries_subject ON webhook_deliveries(subject_id);
