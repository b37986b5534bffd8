-- An order belongs to a store: Shopify order numbers repeat from shop to shop, so orders,
-- shipments and the order -> tickets link are keyed by (store_id, order_id). Existing rows keep
-- their store: shipments take it from their order. Each statement can run again after a
-- failure part way (MariaDB's DDL is not transactional).
ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (store_id, order_id);
ALTER TABLE orders DROP KEY IF EXISTS orders_by_store;

ALTER TABLE shipments
  ADD COLUMN IF NOT EXISTS store_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER shipment_id;

UPDATE shipments s JOIN orders o ON o.order_id = s.order_id SET s.store_id = o.store_id
  WHERE s.store_id = '';

-- Every shipment names its store from now on: no default to fall back on.
ALTER TABLE shipments MODIFY store_id VARCHAR(128) CHARACTER SET ascii NOT NULL;

ALTER TABLE shipments
  DROP KEY IF EXISTS shipments_by_tracking,
  ADD UNIQUE KEY IF NOT EXISTS shipments_by_store_tracking (store_id, order_id, carrier, tracking_number);

ALTER TABLE tickets
  DROP KEY IF EXISTS tickets_by_order,
  ADD KEY IF NOT EXISTS tickets_by_store_order (store_id, order_id, created_at);
