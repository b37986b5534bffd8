-- An outbox entry names the store whose change wrote it: sharded by store (docs/scaling.md) it
-- lives in that change's shard, and every statement on it after the sweep names the store.
-- Entries written before about an outreach case take its store. A review request's entry
-- (its subject is the message) keeps '' and is still delivered and purged as before; none may
-- be left PENDING when the tables move to shards.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS store_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER outbox_id;

UPDATE outbox o JOIN outreach_cases c ON c.case_id = o.subject_id SET o.store_id = c.store_id WHERE o.store_id = '';
