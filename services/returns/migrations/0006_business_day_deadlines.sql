-- Holidays per marketplace site (admins keep them): business-day deadlines skip them.
CREATE TABLE IF NOT EXISTS site_holidays (
  site VARCHAR(8) CHARACTER SET ascii NOT NULL,
  day DATE NOT NULL,
  PRIMARY KEY (site, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A return's business-day deadlines as rows, not timers: a restart or a second replica loses
-- none, and sweepers claim due ones with FOR UPDATE SKIP LOCKED.
CREATE TABLE IF NOT EXISTS return_deadlines (
  return_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  kind ENUM('respond', 'refund') NOT NULL,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  due_at DATETIME(6) NOT NULL,
  state ENUM('PENDING', 'MET', 'BREACHED') NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (return_id, kind),
  KEY return_deadlines_due (state, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
