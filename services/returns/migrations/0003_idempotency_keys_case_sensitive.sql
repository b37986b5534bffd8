-- Idempotency keys are compared byte for byte: "Abc" and "abc" are two keys, as a client
-- expects (ascii's default collation, ascii_general_ci, made them one).
ALTER TABLE idempotency_keys
  MODIFY scope VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  MODIFY idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
