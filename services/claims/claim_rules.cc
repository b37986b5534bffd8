#include "services/claims/claim_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/business_days.h"
#include "common/time_util.h"
#include "google/protobuf/util/time_util.h"

namespace aftersales::claims {
namespace {

using google::protobuf::util::TimeUtil;

absl::Duration FromProtoDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

void SetDuration(google::protobuf::Duration* out, absl::Duration d) {
  out->set_seconds(absl::ToInt64Seconds(d));
}

absl::Status CheckWindow(absl::string_view field, const google::protobuf::Duration& d) {
  const absl::Duration window = FromProtoDuration(d);
  if (window < absl::Hours(1) || window > absl::Hours(24 * 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", absl::FormatDuration(window),
                     " is outside 1h..720h; give it like \"259200s\" (72 hours)"));
  }
  return absl::OkStatus();
}

}  // namespace

v1::ClaimSettings DefaultClaimSettings() {
  v1::ClaimSettings s;
  SetDuration(s.mutable_a_to_z_respond_within(), absl::Hours(72));
  SetDuration(s.mutable_chargeback_respond_within(), absl::Hours(24 * 7));
  SetDuration(s.mutable_aliexpress_respond_within(), absl::Hours(24 * 5));
  s.set_ebay_respond_business_days(3);
  s.set_statement_max_chars(4000);
  return s;
}

absl::Status ValidateClaimSettings(const v1::ClaimSettings& s) {
  const std::pair<absl::string_view, const google::protobuf::Duration*> windows[] = {
      {"a_to_z_respond_within", &s.a_to_z_respond_within()},
      {"chargeback_respond_within", &s.chargeback_respond_within()},
      {"aliexpress_respond_within", &s.aliexpress_respond_within()},
  };
  for (const auto& [field, d] : windows) {
    if (absl::Status st = CheckWindow(field, *d); !st.ok()) return st;
  }
  if (s.ebay_respond_business_days() < 1 || s.ebay_respond_business_days() > 15) {
    return absl::InvalidArgumentError(absl::StrCat("ebay_respond_business_days: ",
                                                   s.ebay_respond_business_days(),
                                                   " is outside 1..15"));
  }
  if (s.statement_max_chars() < 500 || s.statement_max_chars() > 20000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statement_max_chars: ", s.statement_max_chars(), " is outside 500..20000"));
  }
  return absl::OkStatus();
}

absl::Status CheckKindAndReason(v1::ClaimKind kind, v1::ClaimReason reason) {
  using R = v1::ClaimReason;
  std::vector<R> allowed;
  switch (kind) {
    case v1::A_TO_Z:
      // Amazon's A-to-z reasons (DOMAIN.md).
      allowed = {v1::NOT_RECEIVED,   v1::NOT_AS_DESCRIBED,       v1::RETURNED_NOT_REFUNDED,
                 v1::RETURN_REFUSED, v1::NO_LOCAL_RETURN_OPTION, v1::EXTRA_CUSTOMS_FEES};
      break;
    case v1::CHARGEBACK:
      // A card issuer's reasons: the buyer's bank knows nothing of return policies.
      allowed = {v1::NOT_RECEIVED, v1::NOT_AS_DESCRIBED, v1::RETURNED_NOT_REFUNDED,
                 v1::UNAUTHORIZED_TRANSACTION, v1::DUPLICATE_CHARGE};
      break;
    case v1::ALIEXPRESS_DISPUTE:
      allowed = {v1::NOT_RECEIVED, v1::NOT_AS_DESCRIBED, v1::RETURNED_NOT_REFUNDED,
                 v1::EXTRA_CUSTOMS_FEES};
      break;
    case v1::EBAY_MONEY_BACK:
      allowed = {v1::NOT_RECEIVED, v1::NOT_AS_DESCRIBED, v1::RETURNED_NOT_REFUNDED,
                 v1::RETURN_REFUSED};
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("kind: ", v1::ClaimKind_Name(kind).empty() ? absl::StrCat(kind)
                                                                   : v1::ClaimKind_Name(kind),
                       " is not a claim kind (A_TO_Z, CHARGEBACK, ALIEXPRESS_DISPUTE, "
                       "EBAY_MONEY_BACK)"));
  }
  if (reason == v1::REASON_UNSPECIFIED || !v1::ClaimReason_IsValid(reason)) {
    return absl::InvalidArgumentError("reason: required (NOT_RECEIVED, NOT_AS_DESCRIBED, ...)");
  }
  if (std::find(allowed.begin(), allowed.end(), reason) == allowed.end()) {
    std::string names;
    for (R r : allowed) absl::StrAppend(&names, names.empty() ? "" : ", ", v1::ClaimReason_Name(r));
    return absl::InvalidArgumentError(absl::StrCat(
        "kind and reason: a ", v1::ClaimKind_Name(kind), " claim is never ",
        v1::ClaimReason_Name(reason), "; its reasons are ", names));
  }
  return absl::OkStatus();
}

absl::Time RespondBy(v1::ClaimKind kind, absl::Time from, absl::string_view site,
                     const v1::ClaimSettings& settings) {
  switch (kind) {
    case v1::A_TO_Z:
      return from + FromProtoDuration(settings.a_to_z_respond_within());
    case v1::CHARGEBACK:
      return from + FromProtoDuration(settings.chargeback_respond_within());
    case v1::ALIEXPRESS_DISPUTE:
      return from + FromProtoDuration(settings.aliexpress_respond_within());
    case v1::EBAY_MONEY_BACK: {
      BusinessCalendar calendar;
      if (!absl::LoadTimeZone(std::string(SiteTimeZone(site)), &calendar.zone)) {
        calendar.zone = absl::UTCTimeZone();
      }
      return BusinessDaysAfter(from, settings.ebay_respond_business_days(), calendar);
    }
    default:
      return from;
  }
}

std::vector<ClaimAlert> AlertsFor(absl::Time respond_by, absl::Time now) {
  std::vector<ClaimAlert> out;
  for (auto [kind, before] : {std::pair<const char*, absl::Duration>{"alert_24h", absl::Hours(24)},
                              {"alert_6h", absl::Hours(6)}}) {
    if (respond_by - before > now) out.push_back({kind, respond_by - before});
  }
  out.push_back({"expiry", respond_by});
  return out;
}

bool CountsAsDefect(const v1::Claim& claim) {
  switch (claim.outcome()) {
    case v1::WON:
      return false;
    case v1::WITHDRAWN:
      return FromProtoTime(claim.outcome_at()) - FromProtoTime(claim.opened_at()) > kWithdrawnInTime;
    default:
      // Undecided, LOST or REFUNDED: the marketplace counts it.
      return true;
  }
}

absl::Status CheckOutcome(const v1::Claim& claim, v1::ClaimOutcome outcome, absl::Time decided_at,
                          absl::Time now) {
  if (outcome == v1::OUTCOME_UNSPECIFIED || !v1::ClaimOutcome_IsValid(outcome)) {
    return absl::InvalidArgumentError("outcome: required (WON, LOST, WITHDRAWN, REFUNDED)");
  }
  if (decided_at < FromProtoTime(claim.opened_at())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decided_at: ", absl::FormatTime(decided_at), " is before the claim was opened (",
        absl::FormatTime(FromProtoTime(claim.opened_at())), ")"));
  }
  if (decided_at > now + absl::Minutes(5)) {
    return absl::InvalidArgumentError("decided_at: is in the future");
  }
  if (claim.outcome() != v1::OUTCOME_UNSPECIFIED && claim.status() != v1::Claim::APPEALED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "claim ", claim.claim_id(), " was decided already (", v1::ClaimOutcome_Name(claim.outcome()),
        "); only an appealed claim takes a new outcome"));
  }
  if (claim.status() == v1::Claim::APPEALED && decided_at < FromProtoTime(claim.appealed_at())) {
    return absl::InvalidArgumentError("decided_at: is before the appeal was lodged");
  }
  return absl::OkStatus();
}

absl::Status CheckAppeal(const v1::Claim& claim, absl::Time now) {
  if (claim.status() == v1::Claim::APPEALED) {
    return absl::FailedPreconditionError(
        absl::StrCat("claim ", claim.claim_id(), " is under appeal already"));
  }
  if (claim.outcome() != v1::LOST) {
    return absl::FailedPreconditionError(absl::StrCat(
        "claim ", claim.claim_id(), " is ",
        claim.outcome() == v1::OUTCOME_UNSPECIFIED ? "not decided yet"
                                                   : v1::ClaimOutcome_Name(claim.outcome()),
        ": only a LOST claim can be appealed"));
  }
  if (claim.has_appealed_at()) {
    return absl::FailedPreconditionError(
        absl::StrCat("claim ", claim.claim_id(), " was appealed once already"));
  }
  const absl::Time appeal_by = FromProtoTime(claim.outcome_at()) + kAppealWindow;
  if (now > appeal_by) {
    return absl::FailedPreconditionError(absl::StrCat(
        "claim ", claim.claim_id(), " was decided on ",
        absl::FormatTime("%Y-%m-%d", FromProtoTime(claim.outcome_at()), absl::UTCTimeZone()),
        "; it could be appealed until ", absl::FormatTime("%Y-%m-%d %H:%M UTC", appeal_by, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

v1::Claim::Status StatusAt(const v1::Claim& claim, absl::Time now) {
  // Only an open claim changes with the clock: past respond_by the marketplace decides alone.
  if (claim.status() == v1::Claim::OPEN && now >= FromProtoTime(claim.respond_by())) {
    return v1::Claim::EXPIRED;
  }
  return claim.status();
}

}  // namespace aftersales::claims
