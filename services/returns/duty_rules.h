#pragma once

// Who pays the import duty on a "free shipping" order: DOMAIN.md's three duty rules.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/returns/return_types.h"

namespace aftersales::returns {

namespace duty_rule_id {
inline constexpr absl::string_view kBuyerToldPays = "duty_buyer_told_pays";
inline constexpr absl::string_view kSellerPaysWithinProfit = "duty_seller_pays_within_profit";
inline constexpr absl::string_view kSellerPaysNoProfitToShare = "duty_seller_pays_no_profit";
inline constexpr absl::string_view kShared = "duty_shared";
inline constexpr absl::string_view kGoToReturn = "duty_go_to_return";
inline constexpr absl::string_view kSellerAtFaultPays = "duty_seller_at_fault_pays";
}  // namespace duty_rule_id

enum class DutyOutcome { kBuyerPays, kSellerPays, kShared, kGoToReturn };

absl::string_view EnumName(DutyOutcome value);  // "BUYER_PAYS", ...

struct DutyCase {
  // The listing or a message told the buyer, before shipping, that they pay the import duty.
  bool buyer_told_before_shipping = false;
  // The duty is the seller's doing (wrong declared value, wrong incoterm, wrong address, ...).
  bool seller_at_fault = false;
  Money duty;         // the duty and taxes the carrier asks for
  Money item_profit;  // the seller's profit on the item; may be negative
  Money return_cost;  // what taking the item back would cost the seller
};

struct DutyDecision {
  DutyOutcome outcome = DutyOutcome::kGoToReturn;
  // How the duty splits (zero both for GO_TO_RETURN).
  Money seller_pays;
  Money buyer_pays;
  std::vector<FiredRule> fired_rules;
};

// OK, or INVALID_ARGUMENT naming duty, item_profit or return_cost: bad or mixed currencies,
// a negative duty or return cost.
absl::Status ValidateDutyCase(const DutyCase& duty_case);

// For a valid case:
// (1) told before shipping and not at fault: the buyer pays.
// Otherwise the seller carries the duty, and DOMAIN.md's (2) and (3) are read together as: the
// seller keeps the sale while what keeping it costs beyond the item's profit, duty - profit (a
// loss-making item adds its loss: it is compared as a loss, not as zero), is no more than a
// return; beyond that it goes to a return (3). Keeping the sale:
//   the seller at fault: the seller pays it all; the buyer never carries any part of it;
//   duty <= profit: the seller pays it all (its profit absorbs it);
//   no profit (<= 0): the seller pays it all (still cheaper than a return);
//   0 < profit < duty: shared, the seller pays up to its profit and asks the buyer for the
//   rest; if the buyer refuses, paying it all still costs no more than a return.
DutyDecision DecideDuty(const DutyCase& duty_case);

}  // namespace aftersales::returns
