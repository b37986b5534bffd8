-- One row per order that has had a return: the lock two agents' returns and refunds of one
-- order take in turn, so each sees what the other committed before it decides. The first
-- return of an order has no earlier row to lock; this row is what it locks.
CREATE TABLE IF NOT EXISTS order_locks (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (store_id, order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
