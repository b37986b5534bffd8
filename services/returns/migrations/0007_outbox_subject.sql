-- The outbox moved to common/ (common/outbox.h), shared with the reviews service: what an entry
-- is about is its subject, here a return.
ALTER TABLE outbox CHANGE return_id subject_id VARCHAR(64) CHARACTER SET ascii NOT NULL;
