-- API keys. Only the SHA-256 of a key's secret is kept (hex), never the secret.
CREATE TABLE IF NOT EXISTS api_keys (
  key_id CHAR(16) CHARACTER SET ascii NOT NULL,
  name VARCHAR(200) NOT NULL,
  secret_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  role TINYINT NOT NULL,
  all_stores TINYINT NOT NULL,
  -- Comma-separated store ids; empty when all_stores.
  stores TEXT CHARACTER SET ascii NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  last_used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  revoked_by VARCHAR(128) NULL,
  PRIMARY KEY (key_id),
  KEY by_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row: bumped in the transaction of every create and revoke, so a gateway asking "anything
-- new since version N?" is answered from one row, not the whole table.
CREATE TABLE IF NOT EXISTS api_key_version (
  id TINYINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

INSERT IGNORE INTO api_key_version (id, version) VALUES (1, 1);
