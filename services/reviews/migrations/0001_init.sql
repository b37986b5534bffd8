-- Reviews service schema, version 1. Times are UTC DATETIME(6).

-- The banned-phrase rules, versioned: every edit writes a whole new set under the next version,
-- so a screening verdict can name the set it used and an edit can be undone by reading an old one.
CREATE TABLE phrase_rule_versions (
  version BIGINT NOT NULL PRIMARY KEY,
  edited_by VARCHAR(255) NOT NULL,
  edited_at DATETIME(6) NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE phrase_rules (
  version BIGINT NOT NULL,
  rule_id VARCHAR(96) CHARACTER SET ascii NOT NULL,
  -- REVIEW_REMOVAL_OR_CHANGE, POSITIVE_REVIEW_REQUEST, INCENTIVE_FOR_REVIEW,
  -- OFF_PLATFORM_CONTACT, PRESSURE
  category VARCHAR(40) CHARACTER SET ascii NOT NULL,
  -- en, de, fr, es, it, ja, zh, or any
  language VARCHAR(8) CHARACTER SET ascii NOT NULL,
  -- PHRASE (the rule language in services/reviews/phrase_rules.h) or REGEX
  kind VARCHAR(8) CHARACTER SET ascii NOT NULL,
  pattern TEXT NOT NULL,
  -- 1: applies only in the strict product-review context; the seller-feedback context skips it.
  product_review_only TINYINT NOT NULL DEFAULT 0,
  explanation VARCHAR(500) NOT NULL,
  suggestion VARCHAR(500) NOT NULL,
  PRIMARY KEY (version, rule_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A review or seller feedback is kept whole as protobuf JSON; the columns beside it are what
-- lists, lookups and the repeat-offender count filter on.
CREATE TABLE reviews (
  review_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  marketplace TINYINT NOT NULL,
  marketplace_review_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  buyer_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  product_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  kind TINYINT NOT NULL,
  rating TINYINT NOT NULL,
  status TINYINT NOT NULL,
  posted_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  document MEDIUMTEXT NOT NULL,
  UNIQUE KEY reviews_by_marketplace_id (store_id, marketplace, marketplace_review_id),
  KEY reviews_by_store (store_id, created_at, review_id),
  KEY reviews_by_buyer (store_id, buyer_id, posted_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE outreach_cases (
  case_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  review_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  status TINYINT NOT NULL,
  -- The persisted first-contact deadline: lists sort and filter on it.
  first_contact_due_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  document MEDIUMTEXT NOT NULL,
  UNIQUE KEY outreach_by_review (review_id),
  KEY outreach_by_store_due (store_id, first_contact_due_at, case_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A buyer who asked not to be contacted, per store: no outreach, no review request.
CREATE TABLE buyer_opt_outs (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  buyer_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  opted_out_at DATETIME(6) NOT NULL,
  PRIMARY KEY (store_id, buyer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- At most one review request per order. SCHEDULED rows are swept when due (FOR UPDATE SKIP
-- LOCKED); SENT and SKIPPED rows are the record that the order had its one chance.
CREATE TABLE review_requests (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  state ENUM('SCHEDULED', 'SENT', 'SKIPPED') NOT NULL,
  due_at DATETIME(6) NOT NULL,
  requested_at DATETIME(6) NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  -- protobuf JSON of the RequestReviewRequest that asked for it
  request MEDIUMTEXT NOT NULL,
  PRIMARY KEY (store_id, order_id),
  KEY review_requests_due (state, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE review_request_settings (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  document MEDIUMTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Calls to the tickets service that must not be lost (common/outbox.h).
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

CREATE TABLE idempotency_keys (
  scope VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(16) CHARACTER SET ascii NOT NULL,
  response LONGTEXT CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (scope, idem_key),
  KEY idempotency_keys_age (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
