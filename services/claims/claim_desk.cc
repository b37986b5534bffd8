#include "services/claims/claim_desk.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "services/claims/claim_rules.h"
#include "services/claims/claim_store.h"
#include "services/claims/packet_builder.h"
#include "services/claims/packet_export.h"
#include "services/tickets/reply_template.h"

namespace aftersales::claims {
namespace {

constexpr size_t kMaxNoteBytes = 4000;
// A stats period reads at most this many claims; a store with more in one period asks for a
// shorter one.
constexpr int kMaxStatsClaims = 100000;


void AddEvent(v1::Claim& claim, absl::Time at, absl::string_view action, absl::string_view actor,
              absl::string_view note) {
  v1::Claim::Event* e = claim.add_history();
  *e->mutable_at() = ToProtoTime(at);
  e->set_action(std::string(action));
  e->set_actor(std::string(actor));
  e->set_note(std::string(note));
}

std::vector<std::pair<std::string, absl::Time>> AlertRows(absl::Time respond_by, absl::Time now) {
  std::vector<std::pair<std::string, absl::Time>> rows;
  for (const ClaimAlert& a : AlertsFor(respond_by, now)) rows.emplace_back(a.kind, a.due_at);
  return rows;
}

// The deadline the claim's alerts are about now: the appeal's while under appeal.
absl::Time CurrentDeadline(const v1::Claim& claim) {
  return FromProtoTime(claim.status() == v1::Claim::APPEALED ? claim.appeal_respond_by() : claim.respond_by());
}

std::string KindWords(v1::ClaimKind kind) {
  switch (kind) {
    case v1::A_TO_Z:
      return "A-to-z claim";
    case v1::CHARGEBACK:
      return "Chargeback";
    case v1::ALIEXPRESS_DISPUTE:
      return "AliExpress dispute";
    case v1::EBAY_MONEY_BACK:
      return "eBay money-back request";
    default:
      return "Claim";
  }
}

// The ticket an alert opens: the claim in the agents' queue, with what to do and by when.
tickets::v1::CreateTicketRequest AlertTicket(const v1::Claim& claim, const std::string& alert, absl::Time now) {
  tickets::v1::CreateTicketRequest t;
  t.set_store_id(claim.store_id());
  *t.mutable_order() = claim.order();
  t.mutable_buyer()->set_buyer_id("unknown");
  t.set_category(tickets::v1::CLAIM_DEADLINE);
  t.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
  const absl::Time due = CurrentDeadline(claim);
  const std::string due_text = absl::FormatTime("%Y-%m-%d %H:%M UTC", due, absl::UTCTimeZone());
  const bool expired = alert == "expiry";
  const std::string topic =
      expired ? absl::StrCat(KindWords(claim.kind()), " ", claim.marketplace_claim_id(), ": response deadline passed")
              : absl::StrCat(KindWords(claim.kind()), " ", claim.marketplace_claim_id(), ": ",
                             alert == "alert_6h" ? "6" : "24", " h left to respond");
  t.set_subject(tickets::FormalSubject(claim.order().order_id(), topic));
  t.set_body(absl::StrCat(
      KindWords(claim.kind()), " ", claim.marketplace_claim_id(), " (", v1::ClaimReason_Name(claim.reason()),
      ") on order ", claim.order().order_id(), ": ",
      expired ? absl::StrCat("the response was due ", due_text,
                             " and no outcome is recorded; the marketplace decides without the seller now. "
                             "Record the outcome when it comes (:recordOutcome).")
              : absl::StrCat("respond by ", due_text, ". Build the evidence packet (POST /v1/claims/", claim.claim_id(),
                             ":buildPacket) and answer with its statement, or refund."),
      " (raised automatically by the claims service, claim ", claim.claim_id(), ")"));
  // received_at stays unset: the ticket's clock starts when it reaches the queue.
  (void)now;
  return t;
}

absl::Status ValidateAmount(const common::v1::Money& amount) {
  RETURN_IF_ERROR(ValidateCurrency("amount.currency_code", amount.currency_code()));
  if (amount.amount_minor() <= 0 || amount.amount_minor() > 1'000'000'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount.amount_minor: ", amount.amount_minor(), " must be above 0 (minor units, e.g. 1999 for 19.99)"));
  }
  return absl::OkStatus();
}

// Rounds to two decimals for percentages shown to people.
double Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  return static_cast<double>(static_cast<int64_t>(10000.0 * part / whole + 0.5)) / 100.0;
}

void AddCounts(const std::map<std::string, int64_t>& counts,
               google::protobuf::RepeatedPtrField<v1::GetClaimStatsResponse::Count>* out) {
  for (const auto& [key, n] : counts) {
    auto* c = out->Add();
    c->set_key(key);
    c->set_claims(n);
  }
}

}  // namespace

ClaimDesk::ClaimDesk(Database& db, ClaimDeskOptions options) : db_(db), options_(std::move(options)) {}

absl::StatusOr<v1::ClaimSettings> ClaimDesk::SettingsOf(Transaction& tx, const std::string& store_id) {
  absl::StatusOr<std::optional<v1::ClaimSettings>> stored = store::ReadSettings(tx, store_id);
  if (!stored.ok()) return stored.status();
  return stored->has_value() ? **stored : DefaultClaimSettings();
}

absl::Status ClaimDesk::CreateClaim(const Caller& caller, const v1::CreateClaimRequest& request,
                                    v1::CreateClaimResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  RETURN_IF_ERROR(ValidateText("marketplace_claim_id", request.marketplace_claim_id(), 128, true));
  RETURN_IF_ERROR(ValidateId("order.order_id", request.order().order_id()));
  if (request.order().marketplace() == common::v1::MARKETPLACE_UNSPECIFIED ||
      !common::v1::Marketplace_IsValid(request.order().marketplace())) {
    return absl::InvalidArgumentError("order.marketplace: required (AMAZON, EBAY, ALIEXPRESS, SHOPIFY, ...)");
  }
  RETURN_IF_ERROR(CheckKindAndReason(request.kind(), request.reason()));
  RETURN_IF_ERROR(ValidateAmount(request.amount()));
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  const absl::Time now = options_.clock();
  if (!IsSetProtoTime(request.opened_at())) {
    return absl::InvalidArgumentError("opened_at: required (when the marketplace opened the claim)");
  }
  const absl::Time opened_at = FromProtoTime(request.opened_at());
  if (opened_at > now + absl::Minutes(5)) return absl::InvalidArgumentError("opened_at: is in the future");
  if (opened_at < now - kFilingPeriod - kAppealWindow) {
    return absl::InvalidArgumentError("opened_at: is more than 120 days ago; check the date");
  }
  // The order must be one the tickets service holds for this store: a claim on an order nobody
  // knows can gather no evidence.
  if (!options_.read_order) return absl::FailedPreconditionError("no tickets service is configured to check orders");
  absl::StatusOr<std::optional<tickets::v1::Order>> known =
      options_.read_order(request.store_id(), request.order().order_id());
  if (!known.ok()) {
    return absl::UnavailableError(absl::StrCat("the order could not be checked with the tickets service (",
                                               known.status().message(), "); nothing was written: retry shortly"));
  }
  if (!known->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat("order ", request.order().order_id(),
                                                      " is not known to the tickets service for store ",
                                                      request.store_id(), ": record the order there first"));
  }
  const auto create = [&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::Claim>> existing =
        store::FindByMarketplaceId(tx, request.store_id(), request.marketplace_claim_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      const v1::Claim& known_claim = **existing;
      if (known_claim.order().order_id() != request.order().order_id() || known_claim.kind() != request.kind()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "marketplace claim ", request.marketplace_claim_id(), " is recorded already as claim ",
            known_claim.claim_id(), " on order ", known_claim.order().order_id(), " (",
            v1::ClaimKind_Name(known_claim.kind()), ")"));
      }
      *response->mutable_claim() = known_claim;
      response->mutable_claim()->set_status(StatusAt(known_claim, now));
      response->set_existing(true);
      return absl::OkStatus();
    }
    absl::StatusOr<v1::ClaimSettings> settings = SettingsOf(tx, request.store_id());
    if (!settings.ok()) return settings.status();
    v1::Claim claim;
    claim.set_claim_id(NewId("clm"));
    claim.set_store_id(request.store_id());
    claim.set_marketplace_claim_id(request.marketplace_claim_id());
    *claim.mutable_order() = request.order();
    claim.set_kind(request.kind());
    claim.set_reason(request.reason());
    *claim.mutable_amount() = request.amount();
    *claim.mutable_opened_at() = request.opened_at();
    if (IsSetProtoTime(request.promised_delivery_by())) *claim.mutable_promised_delivery_by() = request.promised_delivery_by();
    const absl::Time respond_by = RespondBy(request.kind(), opened_at, request.order().site(), *settings);
    *claim.mutable_respond_by() = ToProtoTime(respond_by);
    claim.set_status(v1::Claim::OPEN);
    claim.set_status(StatusAt(claim, now));
    claim.set_note(request.note());
    *claim.mutable_created_at() = ToProtoTime(now);
    *claim.mutable_updated_at() = ToProtoTime(now);
    claim.set_counts_as_defect(CountsAsDefect(claim));
    AddEvent(claim, now, "created", caller.principal,
             absl::StrCat("respond by ", absl::FormatTime("%Y-%m-%d %H:%M UTC", respond_by, absl::UTCTimeZone())));
    RETURN_IF_ERROR(store::InsertClaim(tx, claim));
    RETURN_IF_ERROR(store::ScheduleAlerts(tx, claim, AlertRows(respond_by, now)));
    *response->mutable_claim() = claim;
    response->set_existing(false);
    return absl::OkStatus();
  };
  absl::Status created = db_.InTransaction(create);
  // Two agents recording one marketplace claim at once: the second finds the first's.
  if (created.code() == absl::StatusCode::kAlreadyExists) created = db_.InTransaction(create);
  return created;
}

absl::Status ClaimDesk::GetClaim(const Caller& caller, const v1::GetClaimRequest& request,
                                 v1::GetClaimResponse* response) {
  RETURN_IF_ERROR(ValidateId("claim_id", request.claim_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Claim> claim = store::ReadClaim(tx, request.claim_id(), false);
    if (!claim.ok()) return claim.status();
    RETURN_IF_ERROR(CheckStoreAccess(caller, claim->store_id()));
    claim->set_status(StatusAt(*claim, options_.clock()));
    *response->mutable_claim() = *std::move(claim);
    return absl::OkStatus();
  });
}

absl::Status ClaimDesk::ListClaims(const Caller& caller, const v1::ListClaimsRequest& request,
                                   v1::ListClaimsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  RETURN_IF_ERROR(ValidatePageSize(request.page_size()));
  if (!v1::Claim::Status_IsValid(request.status())) {
    return absl::InvalidArgumentError(absl::StrCat("status: unknown value ", request.status()));
  }
  store::ClaimFilter filter;
  filter.store_id = request.store_id();
  if (request.status() != v1::Claim::STATUS_UNSPECIFIED) filter.status = v1::Claim::Status_Name(request.status());
  if (IsSetProtoTime(request.due_before())) filter.due_before = FromProtoTime(request.due_before());
  filter.page_size = request.page_size() == 0 ? 50 : request.page_size();
  filter.page_token = request.page_token();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    std::string next;
    absl::StatusOr<std::vector<v1::Claim>> claims = store::ListClaims(tx, filter, &next);
    if (!claims.ok()) return claims.status();
    response->Clear();
    const absl::Time now = options_.clock();
    for (v1::Claim& c : *claims) {
      c.set_status(StatusAt(c, now));
      *response->add_claims() = std::move(c);
    }
    response->set_next_page_token(next);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Claim> ClaimDesk::ChangeClaim(
    const Caller& caller, const std::string& claim_id,
    const std::function<absl::Status(Transaction&, v1::Claim&, absl::Time)>& change) {
  RETURN_IF_ERROR(ValidateId("claim_id", claim_id));
  return db_.InTransaction<v1::Claim>([&](Transaction& tx) -> absl::StatusOr<v1::Claim> {
    absl::StatusOr<v1::Claim> claim = store::ReadClaim(tx, claim_id, /*for_update=*/true);
    if (!claim.ok()) return claim.status();
    RETURN_IF_ERROR(CheckStoreAccess(caller, claim->store_id()));
    const absl::Time now = options_.clock();
    claim->set_status(StatusAt(*claim, now));
    RETURN_IF_ERROR(change(tx, *claim, now));
    *claim->mutable_updated_at() = ToProtoTime(now);
    claim->set_counts_as_defect(CountsAsDefect(*claim));
    RETURN_IF_ERROR(store::UpdateClaim(tx, *claim));
    return claim;
  });
}

absl::Status ClaimDesk::RecordOutcome(const Caller& caller, const v1::RecordOutcomeRequest& request,
                                      v1::RecordOutcomeResponse* response) {
  RETURN_IF_ERROR(ValidateText("note", request.note(), kMaxNoteBytes, false));
  absl::StatusOr<v1::Claim> changed =
      ChangeClaim(caller, request.claim_id(), [&](Transaction& tx, v1::Claim& claim, absl::Time now) -> absl::Status {
        const absl::Time decided_at = IsSetProtoTime(request.decided_at()) ? FromProtoTime(request.decided_at()) : now;
        RETURN_IF_ERROR(CheckOutcome(claim, request.outcome(), decided_at, now));
        const bool appeal = claim.status() == v1::Claim::APPEALED;
        claim.set_outcome(request.outcome());
        *claim.mutable_outcome_at() = ToProtoTime(decided_at);
        claim.set_status(v1::Claim::DECIDED);
        if (request.outcome() == v1::LOST && !appeal) {
          *claim.mutable_appeal_by() = ToProtoTime(decided_at + kAppealWindow);
        } else {
          claim.clear_appeal_by();
        }
        AddEvent(claim, now, appeal ? "appeal_outcome" : "outcome", caller.principal,
                 absl::StrCat(v1::ClaimOutcome_Name(request.outcome()), request.note().empty() ? "" : ": ",
                              request.note()));
        // Decided: no alert about its deadline is needed any more.
        return store::CancelPendingAlerts(tx, claim.store_id(), claim.claim_id());
      });
  if (!changed.ok()) return changed.status();
  *response->mutable_claim() = *std::move(changed);
  return absl::OkStatus();
}

absl::Status ClaimDesk::AppealClaim(const Caller& caller, const v1::AppealClaimRequest& request,
                                    v1::AppealClaimResponse* response) {
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), kMaxNoteBytes, true));
  absl::StatusOr<v1::Claim> changed =
      ChangeClaim(caller, request.claim_id(), [&](Transaction& tx, v1::Claim& claim, absl::Time now) -> absl::Status {
        RETURN_IF_ERROR(CheckAppeal(claim, now));
        absl::StatusOr<v1::ClaimSettings> settings = SettingsOf(tx, claim.store_id());
        if (!settings.ok()) return settings.status();
        const absl::Time due = RespondBy(claim.kind(), now, claim.order().site(), *settings);
        claim.set_status(v1::Claim::APPEALED);
        *claim.mutable_appealed_at() = ToProtoTime(now);
        *claim.mutable_appeal_respond_by() = ToProtoTime(due);
        AddEvent(claim, now, "appealed", caller.principal, request.reason());
        return store::ScheduleAlerts(tx, claim, AlertRows(due, now));
      });
  if (!changed.ok()) return changed.status();
  *response->mutable_claim() = *std::move(changed);
  return absl::OkStatus();
}

absl::Status ClaimDesk::GetClaimStats(const Caller& caller, const v1::GetClaimStatsRequest& request,
                                      v1::GetClaimStatsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  const absl::Time now = options_.clock();
  const absl::Time to = IsSetProtoTime(request.to()) ? FromProtoTime(request.to()) : now;
  const absl::Time from = IsSetProtoTime(request.from()) ? FromProtoTime(request.from()) : to - absl::Hours(24 * 30);
  if (from >= to) return absl::InvalidArgumentError("from: must be before to");
  if (to - from > absl::Hours(24 * 366)) return absl::InvalidArgumentError("from: a period is at most 366 days");
  const absl::Time defect_from = to - kDefectWindow;
  // The orders of the defect window, from the tickets service, before the transaction.
  int64_t orders = 0;
  if (options_.count_orders) {
    absl::StatusOr<int64_t> counted = options_.count_orders(request.store_id(), defect_from, to);
    if (!counted.ok()) {
      return absl::UnavailableError(absl::StrCat("the store's orders could not be counted with the tickets service (",
                                                 counted.status().message(), "): retry shortly"));
    }
    orders = *counted;
  }
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<v1::Claim>> period =
        store::ClaimsOpenedBetween(tx, request.store_id(), from, to, kMaxStatsClaims);
    if (!period.ok()) return period.status();
    if (static_cast<int>(period->size()) >= kMaxStatsClaims) {
      return absl::InvalidArgumentError("from: the period holds too many claims; ask for a shorter one");
    }
    response->Clear();
    *response->mutable_from() = ToProtoTime(from);
    *response->mutable_to() = ToProtoTime(to);
    response->set_claims(static_cast<int64_t>(period->size()));
    std::map<std::string, int64_t> by_kind, by_reason, by_outcome;
    int64_t won = 0, lost = 0;
    for (const v1::Claim& c : *period) {
      ++by_kind[v1::ClaimKind_Name(c.kind())];
      ++by_reason[v1::ClaimReason_Name(c.reason())];
      ++by_outcome[c.outcome() == v1::OUTCOME_UNSPECIFIED ? "UNDECIDED" : v1::ClaimOutcome_Name(c.outcome())];
      won += c.outcome() == v1::WON;
      lost += c.outcome() == v1::LOST;
    }
    AddCounts(by_kind, response->mutable_by_kind());
    AddCounts(by_reason, response->mutable_by_reason());
    AddCounts(by_outcome, response->mutable_by_outcome());
    response->set_win_rate_percent(Percent(won, won + lost));

    absl::StatusOr<std::vector<v1::Claim>> window =
        store::ClaimsOpenedBetween(tx, request.store_id(), defect_from, to, kMaxStatsClaims);
    if (!window.ok()) return window.status();
    *response->mutable_defect_window_from() = ToProtoTime(defect_from);
    for (const v1::Claim& c : *window) {
      if (!CountsAsDefect(c)) continue;
      response->set_defect_claims(response->defect_claims() + 1);
      response->add_defect_claim_ids(c.claim_id());
    }
    response->set_orders(orders);
    response->set_order_defect_rate_percent(Percent(response->defect_claims(), orders));
    return absl::OkStatus();
  });
}

absl::Status ClaimDesk::BuildPacket(const Caller& caller, const v1::BuildPacketRequest& request,
                                    v1::BuildPacketResponse* response) {
  v1::GetClaimRequest get;
  get.set_claim_id(request.claim_id());
  v1::GetClaimResponse got;
  RETURN_IF_ERROR(GetClaim(caller, get, &got));
  const v1::Claim& claim = got.claim();
  // The evidence is read outside any transaction: no row is locked while other services answer.
  EvidenceSources sources;
  if (options_.read_evidence) {
    sources = options_.read_evidence(claim.store_id(), claim.order().order_id());
  } else {
    sources.order_unavailable = sources.returns_unavailable = "no source is configured";
  }
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::ClaimSettings> settings = SettingsOf(tx, claim.store_id());
    if (!settings.ok()) return settings.status();
    PacketOptions packet_options;
    packet_options.statement_max_chars = settings->statement_max_chars();
    const absl::Time now = options_.clock();
    v1::Packet packet = BuildEvidencePacket(claim, sources, now, packet_options);
    // The packets table is the record of every build (GetPacket reads the latest); the claim
    // row is not touched, so agents building packets at once never wait on each other.
    RETURN_IF_ERROR(store::InsertPacket(tx, claim.store_id(), packet));
    *response->mutable_packet() = std::move(packet);
    return absl::OkStatus();
  });
}

absl::Status ClaimDesk::GetPacket(const Caller& caller, const v1::GetPacketRequest& request,
                                  v1::GetPacketResponse* response) {
  v1::GetClaimRequest get;
  get.set_claim_id(request.claim_id());
  v1::GetClaimResponse got;
  RETURN_IF_ERROR(GetClaim(caller, get, &got));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Packet> packet = store::LatestPacket(tx, got.claim().store_id(), request.claim_id());
    if (!packet.ok()) return packet.status();
    *response->mutable_packet() = *std::move(packet);
    return absl::OkStatus();
  });
}

absl::Status ClaimDesk::ExportPacket(const Caller& caller, const v1::ExportPacketRequest& request,
                                     std::string* content_type, std::string* data) {
  const std::string& format = request.format();
  if (!format.empty() && format != "json" && format != "html" && format != "pdf") {
    return absl::InvalidArgumentError(absl::StrCat("format: '", format, "' is not one of json, html, pdf"));
  }
  v1::GetPacketRequest get;
  get.set_claim_id(request.claim_id());
  v1::GetPacketResponse got;
  RETURN_IF_ERROR(GetPacket(caller, get, &got));
  absl::StatusOr<ExportedDocument> document = claims::ExportPacket(got.packet(), format);
  if (!document.ok()) return document.status();
  *content_type = std::move(document->content_type);
  *data = std::move(document->data);
  return absl::OkStatus();
}

absl::Status ClaimDesk::GetClaimSettings(const Caller& caller, const v1::GetClaimSettingsRequest& request,
                                         v1::GetClaimSettingsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::ClaimSettings>> stored = store::ReadSettings(tx, request.store_id());
    if (!stored.ok()) return stored.status();
    response->set_stored(stored->has_value());
    *response->mutable_settings() = stored->has_value() ? **stored : DefaultClaimSettings();
    return absl::OkStatus();
  });
}

absl::Status ClaimDesk::PutClaimSettings(const Caller& caller, const v1::PutClaimSettingsRequest& request,
                                         v1::PutClaimSettingsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  v1::ClaimSettings settings = request.settings();
  settings.clear_updated_at();
  if (absl::Status s = ValidateClaimSettings(settings); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("settings.", s.message()));
  }
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    const absl::Time now = options_.clock();
    *settings.mutable_updated_at() = ToProtoTime(now);
    RETURN_IF_ERROR(store::WriteSettings(tx, request.store_id(), settings, now));
    *response->mutable_settings() = settings;
    return absl::OkStatus();
  });
}

absl::StatusOr<int> ClaimDesk::SweepAlerts(int batch_size) {
  return db_.InTransaction<int>([&](Transaction& tx) -> absl::StatusOr<int> {
    const absl::Time now = options_.clock();
    absl::StatusOr<std::vector<store::AlertRow>> due = store::LockDueAlerts(tx, now, batch_size);
    if (!due.ok()) return due.status();
    for (const store::AlertRow& alert : *due) {
      absl::StatusOr<v1::Claim> claim = store::ReadClaim(tx, alert.claim_id, /*for_update=*/true);
      if (!claim.ok()) return claim.status();
      const absl::Time deadline = CurrentDeadline(*claim);
      const bool live = claim->status() == v1::Claim::OPEN || claim->status() == v1::Claim::APPEALED;
      // An alert of an earlier deadline (the appeal replaced it) is not about the claim as it is.
      // (The row keeps microseconds, the document nanoseconds.)
      const auto near = [&](absl::Time expected) { return absl::AbsDuration(alert.due_at - expected) < absl::Milliseconds(1); };
      const bool current = (alert.kind == "expiry" && near(deadline)) ||
                           (alert.kind == "alert_24h" && near(deadline - absl::Hours(24))) ||
                           (alert.kind == "alert_6h" && near(deadline - absl::Hours(6)));
      if (!live || !current) {
        RETURN_IF_ERROR(store::MarkAlertCancelled(tx, alert));
        continue;
      }
      AddEvent(*claim, now, alert.kind, "claims-service",
               absl::StrCat("respond by ", absl::FormatTime("%Y-%m-%d %H:%M UTC", deadline, absl::UTCTimeZone())));
      if (alert.kind == "expiry" && claim->status() == v1::Claim::OPEN) claim->set_status(v1::Claim::EXPIRED);
      *claim->mutable_updated_at() = ToProtoTime(now);
      RETURN_IF_ERROR(store::UpdateClaim(tx, *claim));
      // Through the outbox with the alert's own key: one ticket per alert, whenever tickets is up.
      RETURN_IF_ERROR(EnqueueOutbox(tx, claim->store_id(), claim->claim_id(), "open_ticket",
                                    AlertTicket(*claim, alert.kind, now).SerializeAsString(),
                                    absl::StrCat("claim-alert:", alert.alert_id), now));
      RETURN_IF_ERROR(store::MarkAlertRaised(tx, alert, now));
      LogInfo("claim alert raised", {{"claim_id", claim->claim_id()}, {"alert", alert.kind}});
    }
    return static_cast<int>(due->size());
  });
}

absl::Status ClaimDesk::PurgeExpired() {
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    return PurgeDeliveredOutbox(tx, options_.clock() - absl::Hours(24 * 7)).status();
  });
}

}  // namespace aftersales::claims
