-- Returns service schema, version 1. Times are UTC DATETIME(6).

-- A return is kept whole as protobuf JSON (its case, decision snapshot and history change
-- together under one row lock); the columns beside it are what lists and lookups filter on.
CREATE TABLE returns (
  return_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  status TINYINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  document MEDIUMTEXT NOT NULL,
  KEY returns_by_store (store_id, created_at, return_id),
  KEY returns_by_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE return_policies (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  site VARCHAR(8) CHARACTER SET ascii NOT NULL,
  -- protobuf JSON of aftersales.returns.v1.ReturnPolicy
  document MEDIUMTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (store_id, site)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Calls to other services that must not be lost: written in the same transaction as the
-- change that needs them, delivered with retries and an idempotency key.
CREATE TABLE outbox (
  outbox_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  return_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  -- base64 of the request message
  payload LONGTEXT CHARACTER SET ascii NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii NOT NULL,
  state ENUM('PENDING', 'DELIVERED') NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL,
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  delivered_at DATETIME(6) NULL,
  KEY outbox_due (state, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE idempotency_keys (
  scope VARCHAR(255) CHARACTER SET ascii NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii NOT NULL,
  request_hash CHAR(16) CHARACTER SET ascii NOT NULL,
  response LONGTEXT CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (scope, idem_key),
  KEY idempotency_keys_age (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
