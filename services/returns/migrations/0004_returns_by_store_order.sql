-- An order is keyed by (store_id, order_id): Shopify order numbers repeat from shop to shop.
ALTER TABLE returns
  DROP KEY IF EXISTS returns_by_order,
  ADD KEY IF NOT EXISTS returns_by_store_order (store_id, order_id, created_at);
