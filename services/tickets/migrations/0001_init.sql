-- Tickets service schema, version 1. Times are UTC DATETIME(6).

CREATE TABLE tickets (
  ticket_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  order_marketplace TINYINT NOT NULL DEFAULT 0,
  order_site VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT '',
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '',
  buyer_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  buyer_name VARCHAR(255) NOT NULL DEFAULT '',
  buyer_email VARCHAR(254) NOT NULL DEFAULT '',
  buyer_country CHAR(2) CHARACTER SET ascii NOT NULL DEFAULT '',
  buyer_time_zone VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  buyer_language VARCHAR(35) CHARACTER SET ascii NOT NULL DEFAULT '',
  buyer_tier TINYINT NOT NULL DEFAULT 0,
  category SMALLINT NOT NULL,
  channel TINYINT NOT NULL,
  subject VARCHAR(1000) NOT NULL,
  status TINYINT NOT NULL,
  assignee VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  reply_due_at DATETIME(6) NULL,
  -- reply_due_at, or far in the future when no clock runs: lists page by (sort_due_at, ticket_id).
  sort_due_at DATETIME(6) NOT NULL,
  sla_policy VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  sla_business_hours TINYINT NOT NULL DEFAULT 0,
  follow_up_at DATETIME(6) NULL,
  resolved_at DATETIME(6) NULL,
  late_replies INT NOT NULL DEFAULT 0,
  KEY tickets_by_store_due (store_id, sort_due_at, ticket_id),
  KEY tickets_by_order (order_id),
  KEY tickets_by_store_assignee (store_id, assignee, sort_due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
  message_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  ticket_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  direction TINYINT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  author VARCHAR(128) NOT NULL DEFAULT '',
  automatic TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  KEY messages_by_ticket (ticket_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Scheduled follow-ups: one row per ticket, claimed by sweepers with FOR UPDATE SKIP LOCKED.
CREATE TABLE follow_ups (
  ticket_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  due_at DATETIME(6) NOT NULL,
  state ENUM('PENDING', 'DONE', 'CANCELLED') NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  updated_at DATETIME(6) NOT NULL,
  KEY follow_ups_due (state, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The order context automation pushes in. The order itself is kept whole as protobuf JSON: it
-- is replaced as one piece on every push and read as one piece.
CREATE TABLE orders (
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  marketplace TINYINT NOT NULL,
  site VARCHAR(8) CHARACTER SET ascii NOT NULL DEFAULT '',
  buyer_id VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '',
  document MEDIUMTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY orders_by_store (store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE shipments (
  shipment_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  order_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  carrier VARCHAR(64) NOT NULL,
  tracking_number VARCHAR(64) CHARACTER SET ascii NOT NULL,
  tracking_url VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY shipments_by_tracking (order_id, carrier, tracking_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tracking_events (
  event_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  shipment_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  code VARCHAR(64) NOT NULL,
  description VARCHAR(1000) NOT NULL DEFAULT '',
  city VARCHAR(255) NOT NULL DEFAULT '',
  postcode VARCHAR(32) NOT NULL DEFAULT '',
  country CHAR(2) CHARACTER SET ascii NOT NULL DEFAULT '',
  -- The same scan pushed twice is one event.
  UNIQUE KEY tracking_events_once (shipment_id, occurred_at, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reply_templates (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii NOT NULL,
  language VARCHAR(35) CHARACTER SET ascii NOT NULL,
  topic VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (store_id, name, language)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE business_hours (
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  -- protobuf JSON of aftersales.tickets.v1.BusinessHours
  document TEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE idempotency_keys (
  scope VARCHAR(255) CHARACTER SET ascii NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii NOT NULL,
  request_hash CHAR(16) CHARACTER SET ascii NOT NULL,
  -- base64 of the response message; NULL while the first request is still running.
  response LONGTEXT CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (scope, idem_key),
  KEY idempotency_keys_age (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
