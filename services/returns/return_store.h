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
  std::string store_id;
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

}  // namespace aftersales::returns::store
