-- An order belongs to a store: Shopify order numbers repeat from shop to shop, so orders,
-- shipments and the order -> tickets link are keyed by (store_id, order_id). Existing rows keep
-- their store: shipments take it from their order.
ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (store_id, order_id), DROP KEY orders_by_store;

ALTER TABLE shipments
  ADD COLUMN store_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER shipment_id;

UPDATE shipments s JOIN orders o ON o.order_id = s.order_id SET s.store_id = o.store_id;

ALTER TABLE shipments
  DROP KEY shipments_by_tracking,
  ADD UNIQUE KEY shipments_by_tracking (store_id, order_id, carrier, tracking_number);

ALTER TABLE tickets DROP KEY tickets_by_order, ADD KEY tickets_by_order (store_id, order_id, created_at);
