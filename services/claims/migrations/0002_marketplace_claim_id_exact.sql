-- A marketplace's claim id is matched as it is written. Under utf8mb4_unicode_ci two ids that
-- differ only in case, accents or which emoji they hold were one claim: creating the second
-- answered with the first as "existing". Binary: each distinct id is a claim of its own.
ALTER TABLE claims MODIFY marketplace_claim_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
