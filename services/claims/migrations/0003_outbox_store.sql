-- An outbox entry names the store whose change wrote it: sharded by store (docs/scaling.md) it
-- lives in that change's shard, and every statement on it after the sweep names the store.
-- Entries written before are a claim's: they take its store.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS store_id VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER outbox_id;

UPDATE outbox o JOIN claims c ON c.claim_id = o.subject_id SET o.store_id = c.store_id WHERE o.store_id = '';
