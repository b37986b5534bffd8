#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "absl/time/civil_time.h"
#include "common/mysql.h"
#include "services/returns/business_days.h"

namespace aftersales::returns::store {

// The SQL of the returns database; every call runs in the caller's transaction.

absl::Status InsertReturn(Transaction& tx, const v1::Return& ret);
absl::Status UpdateReturn(Transaction& tx, const v1::Return& ret);
// NOT_FOUND naming the id; for_update locks the row until the transaction ends.
// What a read of a missing return answers, and what one of a store the caller may not see does.
std::string ReturnNotFound(absl::string_view return_id);
absl::StatusOr<v1::Return> ReadReturn(Transaction& tx, const std::string& return_id, bool for_update);
// Holidays of a marketplace site, oldest first; PutHolidays replaces them.
absl::StatusOr<std::vector<absl::CivilDay>> ReadHolidays(Transaction& tx, const std::string& site);
absl::Status PutHolidays(Transaction& tx, const std::string& site,
                         const std::vector<absl::CivilDay>& days);
// Keeps a return's deadline rows in step with its state: due times, and MET once met. A
// BREACHED row stays so: the deadline was missed whatever happens next.
absl::Status SyncDeadlines(Transaction& tx, const std::string& store_id,
                           const std::string& return_id,
                           const std::vector<ReturnDeadline>& deadlines, absl::Time now);
struct DueDeadline {
  std::string return_id;
  std::string kind;
};
// Up to `limit` pending deadlines due by `now`, locked, skipping rows another sweeper holds;
// each becomes BREACHED in this transaction.
absl::StatusOr<std::vector<DueDeadline>> BreachDueDeadlines(Transaction& tx, absl::Time now,
                                                            int limit);

// Takes the order's lock row (making it on the order's first return) until the transaction
// ends: returns and refunds of one order decide one after the other.
absl::Status LockOrder(Transaction& tx, const std::string& store_id, const std::string& order_id,
                       absl::Time now);
// An order is keyed by its store and its marketplace id: another store's same id is not it.
absl::StatusOr<std::vector<v1::Return>> ReturnsOfOrder(Transaction& tx, const std::string& store_id,
                                                       const std::string& order_id);

struct ReturnPage {
  std::vector<v1::Return> returns;
  std::string next_page_token;
};
// Oldest first.
absl::StatusOr<ReturnPage> ListReturns(Transaction& tx, const v1::ListReturnsRequest& request);

// The stored policy document, or nullopt when the store keeps none for the marketplace's site.
absl::StatusOr<std::optional<v1::ReturnPolicy>> ReadPolicy(Transaction& tx, const std::string& store_id,
                                                           int marketplace, const std::string& site,
                                                           bool for_update = false);
absl::Status PutPolicy(Transaction& tx, const std::string& store_id, int marketplace,
                       const std::string& site, const v1::ReturnPolicy& policy, absl::Time now);

// The outbox.
struct OutboxEntry {
  int64_t outbox_id = 0;
  std::string return_id;
  std::string kind;
  std::string payload;  // serialized request message
  std::string idem_key;
  int attempts = 0;
};
absl::Status EnqueueOutbox(Transaction& tx, const std::string& return_id, const std::string& kind,
                           const std::string& payload, const std::string& idem_key, absl::Time now);
// Claims due entries that no other process holds (FOR UPDATE SKIP LOCKED) and leases them until
// lease_until: the caller commits, makes its calls with no transaction open, and records each
// outcome; an entry whose holder died is due again when the lease ends.
absl::StatusOr<std::vector<OutboxEntry>> LeaseDueOutbox(Transaction& tx, absl::Time now,
                                                        absl::Time lease_until, int limit);
absl::Status MarkOutboxDelivered(Transaction& tx, int64_t outbox_id, absl::Time now);
// Tries again at next_attempt.
absl::Status MarkOutboxRetry(Transaction& tx, int64_t outbox_id, const std::string& error,
                             absl::Time next_attempt);
// Never tried again: the other side refused the request itself.
absl::Status MarkOutboxFailed(Transaction& tx, int64_t outbox_id, const std::string& error);
struct OutboxCounts {
  int64_t pending = 0;
  int64_t failed = 0;
};
absl::StatusOr<OutboxCounts> CountOutbox(Transaction& tx);
// FAILED entries back to PENDING, due now, attempts from zero: those of one return, or all
// when return_id is empty. Returns how many.
absl::StatusOr<uint64_t> RequeueFailedOutbox(Transaction& tx, const std::string& return_id,
                                              absl::Time now);
struct FailedOutboxEntry {
  std::string return_id;
  std::string kind;
  int attempts = 0;
  std::string last_error;
};
// The oldest FAILED entries first.
absl::StatusOr<std::vector<FailedOutboxEntry>> ListFailedOutbox(Transaction& tx, int limit);
// Delivered entries older than `before`, a batch at a time.
absl::StatusOr<uint64_t> PurgeDeliveredOutbox(Transaction& tx, absl::Time before);

}  // namespace aftersales::returns::store
