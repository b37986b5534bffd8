#include "services/returns/return_desk.h"

#include "common/outbox.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "services/returns/return_store.h"
#include "services/tickets/reply_template.h"
#include "services/tickets/ticket_validation.h"

namespace aftersales::returns {
namespace {

using v1::Return;

constexpr size_t kMaxNoteBytes = 16 * 1024;

// "-" in a path: a marketplace without sites (AliExpress, a Shopify store).
constexpr char kNoSite[] = "-";

std::string PolicySite(const std::string& path_site) {
  return path_site == kNoSite ? std::string() : path_site;
}

absl::Status ValidateSite(const std::string& site) {
  if (site == kNoSite) return absl::OkStatus();
  if (site.empty() || site.size() > 8) {
    return absl::InvalidArgumentError("site: an upper-case marketplace site like US, DE or JP is required");
  }
  for (const char c : site) {
    if (c < 'A' || c > 'Z') {
      return absl::InvalidArgumentError(absl::StrCat("site: '", site, "' is not an upper-case site like US"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateStoreAndSite(const std::string& store_id, const std::string& site) {
  RETURN_IF_ERROR(ValidateId("store_id", store_id));
  return ValidateSite(site);
}

// The ticket a new return opens: a return request, so the 48 h clock runs.
tickets::v1::CreateTicketRequest TicketFor(const Return& ret) {
  tickets::v1::CreateTicketRequest t;
  t.set_store_id(ret.store_id());
  *t.mutable_order() = ret.return_case().order();
  *t.mutable_buyer() = ret.buyer();
  t.set_category(tickets::v1::RETURN_REQUEST);
  t.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
  t.set_subject(tickets::FormalSubject(ret.return_case().order().order_id(), "return request"));
  t.set_body(absl::StripAsciiWhitespace(ret.note()).empty()
                 ? absl::StrCat("Return requested: ", ReturnReason_Name(ret.return_case().reason()),
                                ", item ", ItemCondition_Name(ret.return_case().condition()), ".")
                 : ret.note());
  *t.mutable_received_at() = ret.return_case().requested_at();
  return t;
}

// The most `ret` may refund on its order now: refunds made on the order's other returns count,
// their open promises do not (the first of two promises on one unit can be paid).
int64_t MostRefundableNow(const OrderTotals& order, const std::vector<Return>& others,
                          const Return& ret) {
  const v1::ReturnCase& c = ret.return_case();
  return MostRefundable(order,
                        EarlierReturnsOf(others, ret.return_id(), c.item_price().currency_code(),
                                         /*count_promises=*/false),
                        c.item_price().amount_minor() * c.quantity());
}

}  // namespace

absl::StatusOr<StoredPolicy> LoadPolicy(Transaction& tx, const std::string& store_id,
                                        const std::string& site, Marketplace marketplace,
                                        const std::string& currency) {
  absl::StatusOr<std::optional<v1::ReturnPolicy>> stored =
      store::ReadPolicy(tx, store_id, static_cast<int>(marketplace) + 1, site);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return DefaultStoredPolicy(marketplace, site, currency);
  absl::StatusOr<StoredPolicy> policy = FromProto(**stored);
  if (!policy.ok()) {
    return absl::InternalError(absl::StrCat("stored return policy of ", store_id, "/", site,
                                            " is unreadable: ", policy.status().message()));
  }
  return policy;
}

ReturnDesk::ReturnDesk(Database& db, ReturnDeskOptions options) : db_(db), options_(std::move(options)) {}

absl::StatusOr<ReturnDesk::OrderLookup> ReturnDesk::LookUpOrderOf(const Caller& caller,
                                                                 const std::string& return_id) {
  v1::GetReturnRequest get;
  get.set_return_id(return_id);
  v1::GetReturnResponse got;
  RETURN_IF_ERROR(GetReturn(caller, get, &got));
  OrderLookup order = LookUpOrder(FromProto(got.return_().return_case()));
  RETURN_IF_ERROR(order.unreachable);
  return order;
}

absl::StatusOr<std::vector<Return>> ReturnDesk::OtherReturnsLocked(Transaction& tx,
                                                                   const Return& ret,
                                                                   absl::Time now) {
  const std::string& order_id = ret.return_case().order().order_id();
  RETURN_IF_ERROR(store::LockOrder(tx, ret.store_id(), order_id, now));
  return store::ReturnsOfOrder(tx, ret.store_id(), order_id);
}

ReturnDesk::OrderLookup ReturnDesk::LookUpOrder(const ReturnRequest& request) const {
  if (!options_.read_order) {
    return {std::nullopt, "could not be checked: no tickets service is configured", {}};
  }
  absl::StatusOr<std::optional<tickets::v1::Order>> read =
      options_.read_order(request.store_id, request.order_id);
  if (!read.ok()) {
    return {std::nullopt,
            absl::StrCat("could not be checked with the tickets service (",
                         read.status().message(), ")"),
            absl::UnavailableError(absl::StrCat(
                "the order could not be checked with the tickets service, which holds it (",
                read.status().message(), "); nothing was written: retry shortly"))};
  }
  if (!read->has_value()) return {std::nullopt, "is not known to the tickets service", {}};
  absl::StatusOr<OrderTotals> totals = TotalsOf(**read, request.item_price.currency_code);
  if (!totals.ok()) {
    return {std::nullopt, absl::StrCat("cannot be compared: ", totals.status().message()), {}};
  }
  return {*totals, "", {}};
}

absl::StatusOr<ReturnShippingDecision> ReturnDesk::DecideForOrder(Transaction& tx,
                                                                  const ReturnRequest& request,
                                                                  const OrderLookup& order,
                                                                  StoredPolicy* used,
                                                                  absl::string_view except_return_id) {
  absl::StatusOr<StoredPolicy> policy =
      LoadPolicy(tx, request.store_id, request.site, request.marketplace,
                 request.item_price.currency_code);
  if (!policy.ok()) return policy.status();
  // A store may quote in its buyers' currencies: the policy's amounts are converted at its rate.
  policy = PolicyInStoredCurrency(*policy, request.item_price.currency_code);
  if (!policy.ok()) return policy.status();
  if (used != nullptr) *used = *policy;
  absl::StatusOr<ReturnShippingDecision> decision = QuoteReturnShipping(request, policy->rules);
  if (!decision.ok()) return decision.status();
  if (std::optional<FiredRule> converted = ConversionRule(*policy)) {
    decision->fired_rules.insert(decision->fired_rules.begin(), *std::move(converted));
  }
  absl::StatusOr<std::vector<Return>> others =
      store::ReturnsOfOrder(tx, request.store_id, request.order_id);
  if (!others.ok()) return others.status();
  const std::vector<EarlierReturn> earlier =
      EarlierReturnsOf(*others, except_return_id, request.item_price.currency_code,
                       /*count_promises=*/true);
  HoldToOrder(request, order.totals, order.unknown_because, earlier, *decision);
  return decision;
}

absl::Status ReturnDesk::QuoteReturn(const Caller& caller, const v1::QuoteReturnRequest& request,
                                     v1::QuoteReturnResponse* response) {
  const v1::ReturnCase& c = request.return_case();
  RETURN_IF_ERROR(ValidateId("store_id", c.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, c.store_id()));
  const ReturnRequest domain = FromProto(c);
  RETURN_IF_ERROR(ValidateReturnRequest(domain));
  // A quote is what CreateReturn would decide now: held to the order the same way.
  const OrderLookup order = LookUpOrder(domain);
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<ReturnShippingDecision> decision = DecideForOrder(tx, domain, order);
    if (!decision.ok()) return decision.status();
    *response->mutable_decision() = ToProto(*decision);
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::CreateReturn(const Caller& caller, const std::string& idempotency_key,
                                      const v1::CreateReturnRequest& request,
                                      v1::CreateReturnResponse* response, bool* replayed) {
  const v1::ReturnCase& c = request.return_case();
  RETURN_IF_ERROR(ValidateId("return_case.store_id", c.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, c.store_id()));
  const ReturnRequest domain = FromProto(c);
  if (absl::Status s = ValidateReturnRequest(domain); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("return_case.", s.message()));
  }
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  RETURN_IF_ERROR(ValidateOptionalId("ticket_id", request.ticket_id()));
  if (FromProtoTime(c.requested_at()) > options_.clock() + absl::Hours(24)) {
    return absl::InvalidArgumentError("return_case.requested_at: is in the future");
  }
  // The ticket is opened later, from the outbox: check now, with the tickets service's own
  // rules, that it will be accepted, so that nothing is accepted here that can never land there.
  {
    Return probe;
    probe.set_store_id(c.store_id());
    *probe.mutable_return_case() = c;
    *probe.mutable_buyer() = request.buyer();
    probe.set_note(request.note());
    if (absl::Status s = tickets::ValidateCreateTicket(TicketFor(probe)); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the return's ticket would be refused: ", s.message()));
    }
  }
  const std::string scope = absl::StrCat(caller.principal, ":CreateReturn");
  // Read before the transaction: no database lock is held across a call to another service.
  // Without it nothing would hold the refund to the order: refused, retryable, not guessed.
  const OrderLookup order = LookUpOrder(domain);
  RETURN_IF_ERROR(order.unreachable);
  return RunIdempotent(
      db_, scope, idempotency_key, request, response,
      [&](Transaction& tx, google::protobuf::Message* out) -> absl::Status {
        const absl::Time now = options_.clock();
        // Two agents creating returns of one order decide one after the other, each seeing
        // what the other's return takes from the order.
        RETURN_IF_ERROR(store::LockOrder(tx, c.store_id(), c.order().order_id(), now));
        StoredPolicy used;
        absl::StatusOr<ReturnShippingDecision> decision = DecideForOrder(tx, domain, order, &used);
        if (!decision.ok()) return decision.status();

        Return ret;
        ret.set_policy_version(used.version);
        *ret.mutable_quoted_fee_percents() = ToProto(used.rules.restocking_fee_percent);
        ret.set_return_id(NewId("ret"));
        ret.set_store_id(c.store_id());
        *ret.mutable_return_case() = c;
        *ret.mutable_buyer() = request.buyer();
        ret.set_note(request.note());
        ret.set_status(Return::REQUESTED);
        *ret.mutable_decision() = ToProto(*decision);
        *ret.mutable_refund_due() = ToProto(decision->refund_amount);
        ret.set_ticket_id(request.ticket_id());
        *ret.mutable_created_at() = ToProtoTime(now);
        *ret.mutable_updated_at() = ToProtoTime(now);
        Return::Event* e = ret.add_history();
        *e->mutable_at() = ToProtoTime(now);
        e->set_action("create");
        e->set_actor(caller.principal);
        e->set_to_status(Return::REQUESTED);
        e->set_note(decision->eligible ? "eligible" : absl::StrCat("not eligible: ", decision->ineligible_reason));
        // Platform-fulfilled: recorded and closed at once; the platform answers the buyer, so no
        // ticket with a seller's reply clock is opened for it.
        const bool platform = decision->platform_handles;
        if (platform) {
          RETURN_IF_ERROR(Close(ret, Actor{caller.principal, caller.role, now}));
        }
        RETURN_IF_ERROR(SyncDeadlines(tx, ret, now));
        RETURN_IF_ERROR(store::InsertReturn(tx, ret));
        if (request.ticket_id().empty() && !platform) {
          // Same transaction as the return: the ticket call cannot be lost, only delayed.
          RETURN_IF_ERROR(EnqueueOutbox(tx, ret.store_id(), ret.return_id(), "open_ticket",
                                        TicketFor(ret).SerializeAsString(),
                                        absl::StrCat("return:", ret.return_id()), now));
        }
        *static_cast<v1::CreateReturnResponse*>(out)->mutable_return_() = std::move(ret);
        return absl::OkStatus();
      },
      replayed);
}

absl::Status ReturnDesk::GetReturn(const Caller& caller, const v1::GetReturnRequest& request,
                                   v1::GetReturnResponse* response) {
  RETURN_IF_ERROR(ValidateId("return_id", request.return_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<Return> ret = store::ReadReturn(tx, request.return_id(), false);
    if (!ret.ok()) return ret.status();
    RETURN_IF_ERROR(CheckCanSee(caller, ret->store_id(), store::ReturnNotFound(request.return_id())));
    *response->mutable_return_() = *std::move(ret);
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::ListReturns(const Caller& caller, const v1::ListReturnsRequest& request,
                                     v1::ListReturnsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateOptionalId("order_id", request.order_id()));
  RETURN_IF_ERROR(ValidateEnum("status", request.status(), Return::Status_IsValid(request.status()), true));
  RETURN_IF_ERROR(ValidatePageSize(request.page_size()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<store::ReturnPage> page = store::ListReturns(tx, request);
    if (!page.ok()) return page.status();
    response->Clear();
    for (auto& r : page->returns) *response->add_returns() = std::move(r);
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<Return> ReturnDesk::ChangeReturn(
    const Caller& caller, const std::string& return_id,
    const std::function<absl::Status(Transaction&, Return&, const Actor&)>& change) {
  RETURN_IF_ERROR(ValidateId("return_id", return_id));
  return db_.InTransaction<Return>([&](Transaction& tx) -> absl::StatusOr<Return> {
    absl::StatusOr<Return> ret = store::ReadReturn(tx, return_id, /*for_update=*/true);
    if (!ret.ok()) return ret.status();
    RETURN_IF_ERROR(CheckCanSee(caller, ret->store_id(), store::ReturnNotFound(return_id)));
    const Actor actor{caller.principal, caller.role, options_.clock()};
    RETURN_IF_ERROR(change(tx, *ret, actor));
    RETURN_IF_ERROR(SyncDeadlines(tx, *ret, actor.now));
    RETURN_IF_ERROR(store::UpdateReturn(tx, *ret));
    return ret;
  });
}

namespace {

template <typename Response>
absl::Status Answer(absl::StatusOr<Return> ret, Response* response) {
  if (!ret.ok()) return ret.status();
  *response->mutable_return_() = *std::move(ret);
  return absl::OkStatus();
}

absl::Status ValidateCarrierAndTracking(const std::string& carrier, const std::string& tracking) {
  RETURN_IF_ERROR(ValidateText("carrier", carrier, 64, true));
  RETURN_IF_ERROR(ValidateId("tracking_number", tracking));
  if (tracking.size() > 64) return absl::InvalidArgumentError("tracking_number: at most 64 characters");
  return absl::OkStatus();
}

}  // namespace

absl::Status ReturnDesk::AuthorizeReturn(const Caller& caller, const v1::AuthorizeReturnRequest& request,
                                         v1::AuthorizeReturnResponse* response) {
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  return Answer(ChangeReturn(caller, request.return_id(),
                             [&](Transaction&, Return& r, const Actor& a) {
                               return Authorize(r, a, request.note());
                             }),
                response);
}

absl::Status ReturnDesk::IssueLabel(const Caller& caller, const v1::IssueLabelRequest& request,
                                    v1::IssueLabelResponse* response) {
  RETURN_IF_ERROR(ValidateCarrierAndTracking(request.carrier(), request.tracking_number()));
  if (request.has_cost()) RETURN_IF_ERROR(ValidateMoney("cost", FromProto(request.cost())));
  return Answer(ChangeReturn(caller, request.return_id(),
                             [&](Transaction&, Return& r, const Actor& a) {
                               const Money cost = request.has_cost() ? FromProto(request.cost())
                                                                     : FromProto(r.decision().label_cost());
                               if (cost.currency_code != r.return_case().item_price().currency_code()) {
                                 return absl::InvalidArgumentError(absl::StrCat(
                                     "cost.currency_code: ", cost.currency_code, " is not the order's ",
                                     r.return_case().item_price().currency_code()));
                               }
                               return returns::IssueLabel(r, a, request.carrier(), request.tracking_number(), cost);
                             }),
                response);
}

absl::Status ReturnDesk::RecordTracking(const Caller& caller, const v1::RecordTrackingRequest& request,
                                        v1::RecordTrackingResponse* response) {
  RETURN_IF_ERROR(ValidateCarrierAndTracking(request.carrier(), request.tracking_number()));
  return Answer(ChangeReturn(caller, request.return_id(),
                             [&](Transaction&, Return& r, const Actor& a) {
                               return returns::RecordTracking(r, a, request.carrier(), request.tracking_number());
                             }),
                response);
}

absl::Status ReturnDesk::MarkReceived(const Caller& caller, const v1::MarkReceivedRequest& request,
                                      v1::MarkReceivedResponse* response) {
  const ItemCondition found = static_cast<ItemCondition>(static_cast<int>(request.condition()) - 1);
  if (!IsKnown(found)) {
    return absl::InvalidArgumentError("condition: the condition the item arrived in is required "
                                      "(UNOPENED, OPENED_UNUSED, USED, DAMAGED)");
  }
  if (!v1::MarkReceivedRequest::RestockingFee_IsValid(request.restocking_fee())) {
    return absl::InvalidArgumentError(
        "restocking_fee: one of POLICY_DEFAULT, CONFIRM (the buyer accepted it), WAIVE");
  }
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  absl::StatusOr<OrderLookup> order = LookUpOrderOf(caller, request.return_id());
  if (!order.ok()) return order.status();
  return Answer(
      ChangeReturn(caller, request.return_id(),
                   [&](Transaction& tx, Return& r, const Actor& a) -> absl::Status {
                     const ReturnRequest quoted = FromProto(r.return_case());
                     // The policy of today only answers what the agent left open: whether a
                     // fee is charged when they said neither, and, for returns recorded before
                     // quotes kept their fee table, that table.
                     absl::StatusOr<StoredPolicy> today =
                         LoadPolicy(tx, r.store_id(), quoted.site, quoted.marketplace,
                                    quoted.item_price.currency_code);
                     if (!today.ok()) return today.status();
                     ReceiptCase receipt;
                     receipt.quoted = &quoted;
                     receipt.quoted_refund = FromProto(r.refund_due());
                     receipt.quoted_fee = FromProto(r.decision().restocking_fee());
                     receipt.quoted_fee_percents = r.has_quoted_fee_percents()
                                                       ? FromProto(r.quoted_fee_percents())
                                                       : today->rules.restocking_fee_percent;
                     receipt.found = found;
                     receipt.choice = request.restocking_fee() == v1::MarkReceivedRequest::CONFIRM
                                          ? FeeChoice::kConfirm
                                      : request.restocking_fee() == v1::MarkReceivedRequest::WAIVE
                                          ? FeeChoice::kWaive
                                          : FeeChoice::kPolicyDefault;
                     receipt.charge_by_default = today->rules.charge_restocking_fee_by_default;
                     ReceiptDecision settled = DecideOnReceipt(receipt);
                     std::string note = request.note();
                     for (const FiredRule& rule : settled.fired_rules) {
                       absl::StrAppend(&note, note.empty() ? "" : " ", rule.sentence);
                     }
                     // A fee waived gives money back: never past what the order has left.
                     if (order->totals.has_value()) {
                       absl::StatusOr<std::vector<Return>> others = OtherReturnsLocked(tx, r, a.now);
                       if (!others.ok()) return others.status();
                       const int64_t most = MostRefundableNow(*order->totals, *others, r);
                       if (settled.refund_due.amount_minor > most) {
                         absl::StrAppend(&note, " The order has ",
                                         FormatMoney(Money{most, settled.refund_due.currency_code}),
                                         " left to refund after its other returns: capped.");
                         settled.refund_due.amount_minor = most;
                       }
                     }
                     *r.mutable_restocking_fee() = ToProto(settled.fee);
                     return returns::MarkReceived(r, a, found, settled.refund_due, note);
                   }),
      response);
}

absl::Status ReturnDesk::RefundReturn(const Caller& caller, const v1::RefundReturnRequest& request,
                                      v1::RefundReturnResponse* response) {
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  if (request.has_amount()) RETURN_IF_ERROR(ValidateMoney("amount", FromProto(request.amount())));
  absl::StatusOr<OrderLookup> order = LookUpOrderOf(caller, request.return_id());
  if (!order.ok()) return order.status();
  return Answer(
      ChangeReturn(caller, request.return_id(),
                   [&](Transaction& tx, Return& r, const Actor& a) -> absl::Status {
                     absl::StatusOr<StoredPolicy> policy =
                         LoadPolicy(tx, r.store_id(), r.return_case().order().site(),
                                    FromProto(r.return_case()).marketplace,
                                    r.return_case().item_price().currency_code());
                     if (!policy.ok()) return policy.status();
                     const Money amount = request.has_amount() ? FromProto(request.amount())
                                                               : FromProto(r.refund_due());
                     // The limit in the refund's currency when the policy quotes in it; if
                     // not (any more), the approval check refuses the agent and names both.
                     if (absl::StatusOr<StoredPolicy> converted =
                             PolicyInStoredCurrency(*policy, amount.currency_code);
                         converted.ok()) {
                       policy = *std::move(converted);
                     }
                     absl::StatusOr<std::vector<Return>> others = OtherReturnsLocked(tx, r, a.now);
                     if (!others.ok()) return others.status();
                     // No refund, a supervisor's override included, takes what the order's
                     // other returns refunded already.
                     if (order->totals.has_value()) {
                       const int64_t most = MostRefundableNow(*order->totals, *others, r);
                       if (amount.amount_minor > most) {
                         return absl::FailedPreconditionError(absl::StrCat(
                             "order ", r.return_case().order().order_id(), " has ",
                             FormatMoney(Money{most, amount.currency_code}),
                             " left to refund for this return after its other returns, not ",
                             FormatMoney(amount)));
                       }
                     }
                     // The agent's limit is per order: what they refunded on its other returns
                     // counts.
                     return Refund(r, a, amount, policy->agent_refund_limit, request.note(),
                                   RefundedBy(*others, a.principal, r.return_id(),
                                              amount.currency_code));
                   }),
      response);
}

absl::Status ReturnDesk::RejectReturn(const Caller& caller, const v1::RejectReturnRequest& request,
                                      v1::RejectReturnResponse* response) {
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), kMaxNoteBytes, true));
  return Answer(ChangeReturn(caller, request.return_id(),
                             [&](Transaction&, Return& r, const Actor& a) {
                               return Reject(r, a, request.reason());
                             }),
                response);
}

namespace {

absl::Status CheckOutboxAdmin(const Caller& caller) {
  // Admins only, as the proto declares; and of every store, since the outbox spans them.
  if (caller.all_stores) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "the ticket outbox spans every store: only an admin of every store sees or requeues it; ",
      caller.principal, " is given some stores only"));
}

}  // namespace

absl::Status ReturnDesk::GetTicketOutbox(const Caller& caller,
                                         const v1::GetTicketOutboxRequest& request,
                                         v1::GetTicketOutboxResponse* response) {
  RETURN_IF_ERROR(CheckOutboxAdmin(caller));
  RETURN_IF_ERROR(ValidatePageSize(request.page_size()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<OutboxCounts> counts = CountOutbox(tx);
    if (!counts.ok()) return counts.status();
    absl::StatusOr<std::vector<FailedOutboxEntry>> failed =
        ListFailedOutbox(tx, request.page_size() == 0 ? 50 : request.page_size());
    if (!failed.ok()) return failed.status();
    response->Clear();
    response->set_pending(counts->pending);
    response->set_failed(counts->failed);
    for (const FailedOutboxEntry& e : *failed) {
      auto* out = response->add_failed_entries();
      out->set_return_id(e.subject_id);
      out->set_kind(e.kind);
      out->set_attempts(e.attempts);
      out->set_last_error(e.last_error);
    }
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::RequeueTicketOutbox(const Caller& caller,
                                             const v1::RequeueTicketOutboxRequest& request,
                                             v1::RequeueTicketOutboxResponse* response) {
  RETURN_IF_ERROR(CheckOutboxAdmin(caller));
  RETURN_IF_ERROR(ValidateOptionalId("return_id", request.return_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<uint64_t> requeued =
        RequeueFailedOutbox(tx, request.return_id(), options_.clock());
    if (!requeued.ok()) return requeued.status();
    LogInfo("ticket outbox requeued", {{"by", caller.principal},
                                       {"return_id", request.return_id()},
                                       {"count", absl::StrCat(*requeued)}});
    response->set_requeued(static_cast<int64_t>(*requeued));
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::AcceptReturnAsGoodwill(const Caller& caller,
                                                const v1::AcceptReturnAsGoodwillRequest& request,
                                                v1::AcceptReturnAsGoodwillResponse* response) {
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), kMaxNoteBytes, true));
  // The order is read before the transaction, as on create: no lock held across a call.
  absl::StatusOr<OrderLookup> order = LookUpOrderOf(caller, request.return_id());
  if (!order.ok()) return order.status();
  return Answer(
      ChangeReturn(caller, request.return_id(),
                   [&](Transaction& tx, Return& r, const Actor& a) -> absl::Status {
                     ReturnRequest again = FromProto(r.return_case());
                     again.goodwill_reason = request.reason();
                     RETURN_IF_ERROR(store::LockOrder(tx, r.store_id(), again.order_id, a.now));
                     StoredPolicy used;
                     absl::StatusOr<ReturnShippingDecision> decision =
                         DecideForOrder(tx, again, *order, &used, r.return_id());
                     if (!decision.ok()) return decision.status();
                     if (!decision->eligible) {
                       return absl::FailedPreconditionError(absl::StrCat(
                           "even as goodwill: ", decision->ineligible_reason));
                     }
                     RETURN_IF_ERROR(AcceptAsGoodwill(r, a, ToProto(*decision),
                                                      decision->refund_amount, request.reason()));
                     r.set_policy_version(used.version);
                     *r.mutable_quoted_fee_percents() = ToProto(used.rules.restocking_fee_percent);
                     return absl::OkStatus();
                   }),
      response);
}

absl::Status ReturnDesk::CloseReturn(const Caller& caller, const v1::CloseReturnRequest& request,
                                     v1::CloseReturnResponse* response) {
  return Answer(ChangeReturn(caller, request.return_id(),
                             [&](Transaction&, Return& r, const Actor& a) { return Close(r, a); }),
                response);
}

absl::Status ReturnDesk::GetOrderReturns(const Caller& caller, const v1::GetOrderReturnsRequest& request,
                                         v1::GetOrderReturnsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateId("order_id", request.order_id()));
  // Orders are keyed by store: another store's order with the same id is another order.
  RETURN_IF_ERROR(CheckCanSee(caller, request.store_id(),
                              absl::StrCat("order ", request.order_id(), " not found")));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<Return>> all =
        store::ReturnsOfOrder(tx, request.store_id(), request.order_id());
    if (!all.ok()) return all.status();
    response->Clear();
    std::map<std::string, int64_t> totals;
    for (Return& r : *all) {
      if (r.has_refunded()) totals[r.refunded().currency_code()] += r.refunded().amount_minor();
      *response->add_returns() = std::move(r);
    }
    for (const auto& [currency, amount] : totals) {
      *response->add_refunded_total() = ToProto(Money{amount, currency});
    }
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::GetReturnPolicy(const Caller& caller, const v1::GetReturnPolicyRequest& request,
                                         v1::GetReturnPolicyResponse* response) {
  RETURN_IF_ERROR(ValidateStoreAndSite(request.store_id(), request.site()));
  RETURN_IF_ERROR(ValidateEnum("marketplace", request.marketplace(),
                               common::v1::Marketplace_IsValid(request.marketplace()), true));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  const Marketplace marketplace = request.marketplace() == 0
                                      ? Marketplace::kAmazon
                                      : static_cast<Marketplace>(request.marketplace() - 1);
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    const std::string site = PolicySite(request.site());
    absl::StatusOr<std::optional<v1::ReturnPolicy>> stored =
        store::ReadPolicy(tx, request.store_id(), static_cast<int>(marketplace) + 1, site);
    if (!stored.ok()) return stored.status();
    response->Clear();
    if (stored->has_value()) {
      *response->mutable_policy() = **stored;
      response->set_stored(true);
    } else {
      *response->mutable_policy() =
          ToProto(DefaultStoredPolicy(marketplace, site, request.currency_code()));
    }
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::PutReturnPolicy(const Caller& caller, const v1::PutReturnPolicyRequest& request,
                                         v1::PutReturnPolicyResponse* response) {
  RETURN_IF_ERROR(ValidateStoreAndSite(request.store_id(), request.site()));
  // Only admins reach here (the proto's access declaration); the store is theirs to check.
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  const std::string site = PolicySite(request.site());
  v1::ReturnPolicy policy = request.policy();
  // A site-less policy names no site; a site's policy may leave it to the path.
  if (policy.site().empty()) policy.set_site(site);
  if (policy.site() != site) {
    return absl::InvalidArgumentError(absl::StrCat("policy.site: '", policy.site(),
                                                   "' differs from the path's '", request.site(), "'"));
  }
  absl::StatusOr<StoredPolicy> parsed = FromProto(policy);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("policy.", parsed.status().message()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    const absl::Time now = options_.clock();
    // Each change is a new version: a return records the one its decision used.
    absl::StatusOr<std::optional<v1::ReturnPolicy>> before =
        store::ReadPolicy(tx, request.store_id(), static_cast<int>(parsed->rules.marketplace) + 1,
                          site, /*for_update=*/true);
    if (!before.ok()) return before.status();
    parsed->version = before->has_value() ? (*before)->version() + 1 : 1;
    v1::ReturnPolicy normalized = ToProto(*parsed);
    RETURN_IF_ERROR(store::PutPolicy(tx, request.store_id(), normalized.marketplace(), site,
                                     normalized, now));
    *normalized.mutable_updated_at() = ToProtoTime(now);
    *response->mutable_policy() = std::move(normalized);
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::DecideDuty(const Caller&, const v1::DecideDutyRequest& request,
                                    v1::DecideDutyResponse* response) {
  const DutyCase c = FromProto(request);
  RETURN_IF_ERROR(ValidateDutyCase(c));
  *response = ToProto(returns::DecideDuty(c));
  return absl::OkStatus();
}

absl::Status ReturnDesk::DecideReturnedParcel(const Caller&, const v1::DecideReturnedParcelRequest& request,
                                              v1::DecideReturnedParcelResponse* response) {
  const ReturnedParcelCase c = FromProto(request);
  RETURN_IF_ERROR(ValidateReturnedParcelCase(c));
  *response = ToProto(returns::DecideReturnedParcel(c));
  return absl::OkStatus();
}

absl::Status ReturnDesk::DecideCancellation(const Caller&, const v1::DecideCancellationRequest& request,
                                            v1::DecideCancellationResponse* response) {
  const CancellationCase c = FromProto(request);
  RETURN_IF_ERROR(ValidateCancellationCase(c));
  *response = ToProto(returns::DecideCancellation(c));
  return absl::OkStatus();
}

namespace {

// What a missed deadline's ticket says: a person must act on the return now.
tickets::v1::CreateTicketRequest BreachTicketFor(const Return& ret, const std::string& kind,
                                                 absl::Time now) {
  tickets::v1::CreateTicketRequest t;
  t.set_store_id(ret.store_id());
  *t.mutable_order() = ret.return_case().order();
  *t.mutable_buyer() = ret.buyer();
  if (t.buyer().buyer_id().empty()) t.mutable_buyer()->set_buyer_id("unknown");
  t.set_category(tickets::v1::RETURN_REQUEST);
  t.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
  const bool respond = kind == "respond";
  t.set_subject(tickets::FormalSubject(ret.return_case().order().order_id(),
                                       respond ? "return request unanswered" : "refund overdue"));
  t.set_body(absl::StrCat(
      "Return ", ret.return_id(), ": ",
      respond ? "the request has waited 2 business days for the seller's answer; the "
                "marketplace may step in now."
              : "the item was received and the refund is past its business-day deadline; "
                "refund it now.",
      " (raised automatically)"));
  *t.mutable_received_at() = ToProtoTime(now);
  return t;
}

}  // namespace

absl::StatusOr<int> ReturnDesk::SweepDeadlines(int batch_size) {
  return db_.InTransaction<int>([&](Transaction& tx) -> absl::StatusOr<int> {
    const absl::Time now = options_.clock();
    absl::StatusOr<std::vector<store::DueDeadline>> due =
        store::BreachDueDeadlines(tx, now, batch_size);
    if (!due.ok()) return due.status();
    for (const store::DueDeadline& d : *due) {
      absl::StatusOr<Return> ret = store::ReadReturn(tx, d.return_id, /*for_update=*/false);
      if (!ret.ok()) return ret.status();
      // Through the outbox, with the deadline's own key: delivered once, whenever tickets is up.
      RETURN_IF_ERROR(EnqueueOutbox(tx, ret->store_id(), d.return_id, "open_ticket",
                                    BreachTicketFor(*ret, d.kind, now).SerializeAsString(),
                                    absl::StrCat("deadline:", d.return_id, ":", d.kind), now));
      LogWarning("return deadline missed", {{"return_id", d.return_id}, {"deadline", d.kind}});
    }
    return static_cast<int>(due->size());
  });
}

absl::Status ReturnDesk::SyncDeadlines(Transaction& tx, Return& ret, absl::Time now) {
  const std::string& site = ret.return_case().order().site();
  absl::StatusOr<std::vector<absl::CivilDay>> holidays = store::ReadHolidays(tx, site);
  if (!holidays.ok()) return holidays.status();
  BusinessCalendar calendar{absl::UTCTimeZone(), *std::move(holidays)};
  absl::LoadTimeZone(std::string(SiteTimeZone(site)), &calendar.zone);
  absl::StatusOr<StoredPolicy> policy =
      LoadPolicy(tx, ret.store_id(), site, FromProto(ret.return_case()).marketplace,
                 ret.return_case().item_price().currency_code());
  if (!policy.ok()) return policy.status();
  const std::vector<ReturnDeadline> deadlines =
      DeadlinesOf(ret, calendar, policy->rules.refund_after_receipt_business_days);
  for (const ReturnDeadline& d : deadlines) {
    *(d.kind == "respond" ? ret.mutable_respond_deadline() : ret.mutable_refund_deadline()) =
        ToProtoTime(d.due_at);
  }
  return store::SyncDeadlines(tx, ret.store_id(), ret.return_id(), deadlines, now);
}

absl::Status ReturnDesk::GetSiteHolidays(const Caller&, const v1::GetSiteHolidaysRequest& request,
                                         v1::GetSiteHolidaysResponse* response) {
  RETURN_IF_ERROR(ValidateSite(request.site()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<absl::CivilDay>> days = store::ReadHolidays(tx, request.site());
    if (!days.ok()) return days.status();
    response->Clear();
    for (const absl::CivilDay& d : *days) response->add_days(absl::FormatCivilTime(d));
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::PutSiteHolidays(const Caller& caller,
                                         const v1::PutSiteHolidaysRequest& request,
                                         v1::PutSiteHolidaysResponse* response) {
  RETURN_IF_ERROR(ValidateSite(request.site()));
  // Only admins reach here (the proto's access declaration); of every store, since a site's
  // calendar is every store's.
  if (!caller.all_stores) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a site's holidays are every store's calendar: only an admin of every store changes "
        "them; ",
        caller.principal, " is given some stores only"));
  }
  if (request.days_size() > 366) {
    return absl::InvalidArgumentError("days: at most 366 holidays");
  }
  std::vector<absl::CivilDay> days;
  for (int i = 0; i < request.days_size(); ++i) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(request.days(i), &day) ||
        absl::FormatCivilTime(day) != request.days(i)) {
      return absl::InvalidArgumentError(
          absl::StrCat("days[", i, "]: '", request.days(i), "' is not a date like 2026-12-25"));
    }
    days.push_back(day);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(store::PutHolidays(tx, request.site(), days));
    response->Clear();
    for (const absl::CivilDay& d : days) response->add_days(absl::FormatCivilTime(d));
    return absl::OkStatus();
  });
}

absl::Status ReturnDesk::PurgeExpired() {
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    const absl::Time now = options_.clock();
    RETURN_IF_ERROR(PurgeExpiredIdempotencyKeys(tx, now).status());
    return PurgeDeliveredOutbox(tx, now - absl::Hours(24 * 7)).status();
  });
}

}  // namespace aftersales::returns
