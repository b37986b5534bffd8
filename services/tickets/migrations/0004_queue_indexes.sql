-- Every list the API offers walks an index in the order it returns: by store alone, or by
-- store and one filter (status, assignee, category), each ending in the due order
-- (sort_due_at, ticket_id). breached_only and due_before are ranges on sort_due_at.
ALTER TABLE tickets
  DROP KEY IF EXISTS tickets_by_store_assignee,
  ADD KEY IF NOT EXISTS tickets_by_store_status (store_id, status, sort_due_at, ticket_id),
  ADD KEY IF NOT EXISTS tickets_by_store_assignee_due (store_id, assignee, sort_due_at, ticket_id),
  ADD KEY IF NOT EXISTS tickets_by_store_category (store_id, category, sort_due_at, ticket_id);

-- Each change of a ticket's place in the due order, kept while page tokens live: a list paged
-- across such a change places the ticket where it stood when the list began, so it is neither
-- skipped nor shown twice.
CREATE TABLE IF NOT EXISTS ticket_due_changes (
  change_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  store_id VARCHAR(128) CHARACTER SET ascii NOT NULL,
  ticket_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  changed_at DATETIME(6) NOT NULL,
  old_sort_due_at DATETIME(6) NOT NULL,
  KEY ticket_due_changes_by_store (store_id, changed_at),
  KEY ticket_due_changes_by_ticket (ticket_id, change_id),
  KEY ticket_due_changes_age (changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A follow-up that keeps failing is set aside after a few attempts, with its last error.
ALTER TABLE follow_ups MODIFY state ENUM('PENDING', 'DONE', 'CANCELLED', 'FAILED') NOT NULL;
