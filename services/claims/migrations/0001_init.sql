-- Claims: one row per marketplace claim, the document holding it whole; lists filter and sort
-- on the columns beside it.
CREATE TABLE claims (
  claim_id VARCHAR(40) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  store_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  marketplace_claim_id VARCHAR(128) NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  reason VARCHAR(32) CHARACTER SET ascii NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii NOT NULL,
  outcome VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT '',
  opened_at DATETIME(6) NOT NULL,
  respond_by DATETIME(6) NOT NULL,
  outcome_at DATETIME(6) NULL,
  counts_as_defect BOOLEAN NOT NULL,
  document LONGTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY claims_by_marketplace_id (store_id, marketplace_claim_id),
  KEY claims_due (store_id, respond_by, claim_id),
  KEY claims_opened (store_id, opened_at),
  KEY claims_by_order (store_id, order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Alerts 24 h and 6 h before respond_by, and the expiry: rows swept with FOR UPDATE SKIP
-- LOCKED, so two replicas never raise one twice and a restart loses none. An appeal adds its
-- own rows (its own due times).
CREATE TABLE claim_alerts (
  alert_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  claim_id VARCHAR(40) CHARACTER SET ascii NOT NULL,
  store_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  due_at DATETIME(6) NOT NULL,
  state ENUM('PENDING', 'RAISED', 'CANCELLED') NOT NULL DEFAULT 'PENDING',
  raised_at DATETIME(6) NULL,
  UNIQUE KEY claim_alerts_once (claim_id, kind, due_at),
  KEY claim_alerts_due (state, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every packet built, kept with its build time; the latest is the claim's packet. The packet
-- is the protobuf's bytes in base64: hundreds of kilobytes for a busy order, many times faster
-- to write and read than its JSON.
CREATE TABLE claim_packets (
  packet_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  claim_id VARCHAR(40) CHARACTER SET ascii NOT NULL,
  store_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  built_at DATETIME(6) NOT NULL,
  partial BOOLEAN NOT NULL,
  packet LONGTEXT CHARACTER SET ascii NOT NULL,
  KEY claim_packets_latest (store_id, claim_id, packet_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE claim_settings (
  store_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  document LONGTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The common outbox (common/outbox.h): alert tickets for the tickets service.
CREATE TABLE outbox (
  outbox_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  subject_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  payload LONGTEXT CHARACTER SET ascii NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii NOT NULL,
  state ENUM('PENDING', 'DELIVERED', 'FAILED') NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL,
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  delivered_at DATETIME(6) NULL,
  KEY outbox_due (state, next_attempt_at),
  KEY outbox_by_subject (subject_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
