-- An approver can send a submitted bulletin back to its author with a comment: the last
-- request is kept on the bulletin (shown to the author until it is submitted again) and
-- every request in the audit log (the bulletin's history).
-- Keep in step with the other backend's file of the same name.
ALTER TABLE bulletins ADD COLUMN review_note TEXT;
ALTER TABLE bulletins ADD COLUMN review_note_by TEXT;
ALTER TABLE bulletins ADD COLUMN review_note_at BIGINT;
