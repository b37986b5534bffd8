#pragma once

// The rules of a claim's life: which reasons a kind of claim can have, when the seller must
// answer, when the agents are alerted, what counts toward the order-defect rate, and when a
// decision can be appealed. DOMAIN.md "Claims". Pure: no gRPC, no SQL.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "aftersales/claims/v1/claims.pb.h"

namespace aftersales::claims {

// A withdrawn claim counts toward the order-defect rate only when withdrawn this late.
inline constexpr absl::Duration kWithdrawnInTime = absl::Hours(24 * 3);
// A LOST decision can be appealed for this long.
inline constexpr absl::Duration kAppealWindow = absl::Hours(24 * 30);
// The order-defect rate's window.
inline constexpr absl::Duration kDefectWindow = absl::Hours(24 * 60);
// A claim can be filed up to 90 days after the order; older opened_at is a typo.
inline constexpr absl::Duration kFilingPeriod = absl::Hours(24 * 90);

// DOMAIN.md's windows: A-to-z 72 h, chargeback 7 calendar days, AliExpress 5 days, eBay 3
// business days; statements up to 4,000 characters.
v1::ClaimSettings DefaultClaimSettings();

// OK, or INVALID_ARGUMENT naming the field: windows between 1 h and 30 days, eBay 1..15
// business days, statement_max_chars 500..20000.
absl::Status ValidateClaimSettings(const v1::ClaimSettings& settings);

// OK, or INVALID_ARGUMENT naming kind and reason when the marketplace has no such claim: an
// A-to-z claim is never "unauthorized transaction", a chargeback never "return refused", ...
absl::Status CheckKindAndReason(v1::ClaimKind kind, v1::ClaimReason reason);

// When the seller must have answered a claim of `kind` opened (or appealed) at `from`. eBay's
// business days are counted on the site's calendar (weekends off; see SiteTimeZone).
absl::Time RespondBy(v1::ClaimKind kind, absl::Time from, absl::string_view site,
                     const v1::ClaimSettings& settings);

// A persisted alert: 24 h and 6 h before respond_by, and the expiry at it. Alerts already past
// when the claim is recorded are left out (a claim entered with 5 h left gets its 6 h alert's
// urgency from the expiry alone, not a stale alert).
struct ClaimAlert {
  std::string kind;  // "alert_24h", "alert_6h", "expiry"
  absl::Time due_at;
};
std::vector<ClaimAlert> AlertsFor(absl::Time respond_by, absl::Time now);

// Whether the claim, as it stands, counts toward the order-defect rate: every A-to-z claim and
// chargeback does unless WON, or WITHDRAWN within 3 days of opening. Platform disputes
// (AliExpress, eBay) count the same way on their marketplaces' own defect measures.
bool CountsAsDefect(const v1::Claim& claim);

// OK to record `outcome` on the claim at `decided_at`, or: INVALID_ARGUMENT (no outcome, a
// decision before the claim opened or in the future), FAILED_PRECONDITION (already decided,
// unless the claim is under appeal).
absl::Status CheckOutcome(const v1::Claim& claim, v1::ClaimOutcome outcome, absl::Time decided_at,
                          absl::Time now);

// OK to appeal now: the claim is LOST and within kAppealWindow of its decision;
// FAILED_PRECONDITION saying why not otherwise.
absl::Status CheckAppeal(const v1::Claim& claim, absl::Time now);

// The claim's status now: an OPEN claim past its respond_by is EXPIRED; others as stored.
v1::Claim::Status StatusAt(const v1::Claim& claim, absl::Time now);

}  // namespace aftersales::claims
