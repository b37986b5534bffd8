-- An outbox entry names the store whose change wrote it: sharded by store (docs/scaling.md) it
-- lives in that change's shard, and every statement on it after the sweep names the store.
-- Entries written before are a return's: they take its store.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS store_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER outbox_id;

UPDATE outbox o JOIN returns r ON r.return_id = o.subject_id SET o.store_id = r.store_id WHERE o.store_id = '';
