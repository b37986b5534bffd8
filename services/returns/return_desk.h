#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/identity.h"
#include "common/mysql.h"
#include "services/returns/return_lifecycle.h"
#include "services/returns/returns_mapping.h"
#include "services/tickets/order_reader.h"

namespace aftersales::returns {

// Reads an order of a store from the service that owns orders (tickets): the order, nullopt
// when it does not know it, or why it could not be asked.
using OrderReader = tickets::OrderReader;

struct ReturnDeskOptions {
  // Injected so tests can move time; absl::Now in production.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Where a return's order is read, to hold its refund to what the order still has to refund.
  // Unset: every order counts as unchecked, and each decision says so.
  OrderReader read_order;
};

// The returns use cases: each checks the request and the caller's store scope, reads the store's
// policy, runs the rules and the lifecycle, and stores the result in one transaction. Creating
// a return writes the ticket it needs into the outbox in that same transaction.
class ReturnDesk {
 public:
  ReturnDesk(Database& db, ReturnDeskOptions options);

  absl::Status QuoteReturn(const Caller& caller, const v1::QuoteReturnRequest& request,
                           v1::QuoteReturnResponse* response);
  // replayed (may be null): set when the answer replays an earlier call with the same key.
  absl::Status CreateReturn(const Caller& caller, const std::string& idempotency_key,
                            const v1::CreateReturnRequest& request, v1::CreateReturnResponse* response,
                            bool* replayed = nullptr);
  absl::Status GetReturn(const Caller& caller, const v1::GetReturnRequest& request,
                         v1::GetReturnResponse* response);
  absl::Status ListReturns(const Caller& caller, const v1::ListReturnsRequest& request,
                           v1::ListReturnsResponse* response);
  absl::Status AuthorizeReturn(const Caller& caller, const v1::AuthorizeReturnRequest& request,
                               v1::AuthorizeReturnResponse* response);
  absl::Status IssueLabel(const Caller& caller, const v1::IssueLabelRequest& request,
                          v1::IssueLabelResponse* response);
  absl::Status RecordTracking(const Caller& caller, const v1::RecordTrackingRequest& request,
                              v1::RecordTrackingResponse* response);
  absl::Status MarkReceived(const Caller& caller, const v1::MarkReceivedRequest& request,
                            v1::MarkReceivedResponse* response);
  absl::Status RefundReturn(const Caller& caller, const v1::RefundReturnRequest& request,
                            v1::RefundReturnResponse* response);
  absl::Status RejectReturn(const Caller& caller, const v1::RejectReturnRequest& request,
                            v1::RejectReturnResponse* response);
  // The ticket outbox spans every store: for admins (and automation) of every store only.
  absl::Status GetTicketOutbox(const Caller& caller, const v1::GetTicketOutboxRequest& request,
                               v1::GetTicketOutboxResponse* response);
  absl::Status RequeueTicketOutbox(const Caller& caller,
                                   const v1::RequeueTicketOutboxRequest& request,
                                   v1::RequeueTicketOutboxResponse* response);
  // A site's holidays: anyone may read them; admins of every store replace them.
  absl::Status GetSiteHolidays(const Caller& caller, const v1::GetSiteHolidaysRequest& request,
                               v1::GetSiteHolidaysResponse* response);
  absl::Status PutSiteHolidays(const Caller& caller, const v1::PutSiteHolidaysRequest& request,
                               v1::PutSiteHolidaysResponse* response);
  // Marks up to batch_size business-day deadlines due now as missed, each opening a ticket for
  // its return through the outbox; returns how many.
  absl::StatusOr<int> SweepDeadlines(int batch_size);
  absl::Status AcceptReturnAsGoodwill(const Caller& caller,
                                      const v1::AcceptReturnAsGoodwillRequest& request,
                                      v1::AcceptReturnAsGoodwillResponse* response);
  absl::Status CloseReturn(const Caller& caller, const v1::CloseReturnRequest& request,
                           v1::CloseReturnResponse* response);
  absl::Status GetOrderReturns(const Caller& caller, const v1::GetOrderReturnsRequest& request,
                               v1::GetOrderReturnsResponse* response);
  absl::Status GetReturnPolicy(const Caller& caller, const v1::GetReturnPolicyRequest& request,
                               v1::GetReturnPolicyResponse* response);
  absl::Status PutReturnPolicy(const Caller& caller, const v1::PutReturnPolicyRequest& request,
                               v1::PutReturnPolicyResponse* response);
  absl::Status DecideDuty(const Caller& caller, const v1::DecideDutyRequest& request,
                          v1::DecideDutyResponse* response);
  absl::Status DecideReturnedParcel(const Caller& caller, const v1::DecideReturnedParcelRequest& request,
                                    v1::DecideReturnedParcelResponse* response);
  absl::Status DecideCancellation(const Caller& caller, const v1::DecideCancellationRequest& request,
                                  v1::DecideCancellationResponse* response);

  // Housekeeping: expired idempotency keys and outbox entries delivered over a week ago.
  absl::Status PurgeExpired();

 private:
  // Reads the return under a row lock, checks the caller's store, applies change, stores it.
  absl::StatusOr<v1::Return> ChangeReturn(
      const Caller& caller, const std::string& return_id,
      const std::function<absl::Status(Transaction&, v1::Return&, const Actor&)>& change);

  // The return's order as the tickets service knows it, or why there is none. unreachable is
  // set when the tickets service could not be asked: calls that change money refuse then.
  struct OrderLookup {
    std::optional<OrderTotals> totals;
    std::string unknown_because;
    absl::Status unreachable;
  };
  OrderLookup LookUpOrder(const ReturnRequest& request) const;
  // The stored return's order (the caller must see the return); UNAVAILABLE when the tickets
  // service cannot be asked. Called before a transaction: no lock is held across the call.
  absl::StatusOr<OrderLookup> LookUpOrderOf(const Caller& caller, const std::string& return_id);
  // Takes the order's lock, then reads every return of ret's order.
  static absl::StatusOr<std::vector<v1::Return>> OtherReturnsLocked(Transaction& tx,
                                                                    const v1::Return& ret,
                                                                    absl::Time now);
  // The rules' decision for `request`, held to what its order still has to refund after its
  // other returns (read in tx; lock the order first where the result is stored).
  // `used` (may be null) gets the policy the decision used; except_return_id is the return
  // being decided again, which does not count against itself.
  absl::StatusOr<ReturnShippingDecision> DecideForOrder(Transaction& tx,
                                                        const ReturnRequest& request,
                                                        const OrderLookup& order,
                                                        StoredPolicy* used = nullptr,
                                                        absl::string_view except_return_id = "");

  // Sets ret's business-day deadlines from its state and keeps their rows in step.
  absl::Status SyncDeadlines(Transaction& tx, v1::Return& ret, absl::Time now);

  Database& db_;
  const ReturnDeskOptions options_;
};

// The store's policy for the site, or the defaults of the marketplace and site.
// Without a stored policy, the defaults of a site-less marketplace are in `currency` (the
// return's, which is the store's).
absl::StatusOr<StoredPolicy> LoadPolicy(Transaction& tx, const std::string& store_id,
                                        const std::string& site, Marketplace marketplace,
                                        const std::string& currency);

}  // namespace aftersales::returns
