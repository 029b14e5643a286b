-- A webhook belongs to its press agency, with an accredited editor of the agency
-- responsible for it. A delivery of what the public may not yet read (embargoed or
-- press-only) is marked restricted; when no accredited editor of the agency remains, it
-- is withheld instead of sent (status 'withheld', shown on the delivery log).
-- Keep in step with the other backend's 0005_webhook_responsibility.sql.

ALTER TABLE webhook_deliveries ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT 0;
