#include "services/returns/duty_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace aftersales::returns {
namespace {

void Fire(DutyDecision& d, absl::string_view id, std::string sentence) {
  d.fired_rules.push_back(FiredRule{id, std::move(sentence)});
}

}  // namespace

absl::string_view EnumName(DutyOutcome value) {
  switch (value) {
    case DutyOutcome::kBuyerPays:
      return "BUYER_PAYS";
    case DutyOutcome::kSellerPays:
      return "SELLER_PAYS";
    case DutyOutcome::kShared:
      return "SHARED";
    case DutyOutcome::kGoToReturn:
      return "GO_TO_RETURN";
  }
  return "UNKNOWN";
}

absl::Status ValidateDutyCase(const DutyCase& duty_case) {
  const DutyCase& c = duty_case;
  if (absl::Status s = ValidateMoney("duty", c.duty); !s.ok()) return s;
  if (absl::Status s = ValidateMoney("item_profit", c.item_profit, /*allow_negative=*/true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateMoney("return_cost", c.return_cost); !s.ok()) return s;
  for (const auto& [field, money] :
       {std::pair<absl::string_view, const Money*>{"item_profit", &c.item_profit},
        {"return_cost", &c.return_cost}}) {
    if (money->currency_code != c.duty.currency_code) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": currency ", money->currency_code,
                                                     " differs from duty's ",
                                                     c.duty.currency_code));
    }
  }
  return absl::OkStatus();
}

DutyDecision DecideDuty(const DutyCase& duty_case) {
  const DutyCase& c = duty_case;
  const std::string& currency = c.duty.currency_code;
  const auto money = [&](int64_t amount) { return Money{amount, currency}; };
  const auto text = [&](int64_t amount) { return FormatMoney(money(amount)); };
  const int64_t duty = c.duty.amount_minor;
  const int64_t profit = c.item_profit.amount_minor;
  const int64_t ret = c.return_cost.amount_minor;

  DutyDecision d;
  d.seller_pays = money(0);
  d.buyer_pays = money(0);
  if (c.buyer_told_before_shipping && !c.seller_at_fault) {
    d.outcome = DutyOutcome::kBuyerPays;
    d.buyer_pays = c.duty;
    Fire(d, duty_rule_id::kBuyerToldPays,
         absl::StrCat("The buyer was told before shipping that import duty is theirs and the "
                      "seller is not at fault: the buyer pays the ",
                      text(duty), " duty."));
    return d;
  }
  const absl::string_view why = c.seller_at_fault ? "The duty is the seller's doing"
                                                  : "The buyer was not told before shipping";
  // What keeping the sale costs the seller beyond its profit; a loss adds to it.
  const int64_t beyond_profit = std::max<int64_t>(duty - profit, 0);
  if (beyond_profit > ret) {
    d.outcome = DutyOutcome::kGoToReturn;
    Fire(d, duty_rule_id::kGoToReturn,
         absl::StrCat(why, ", and the ", text(duty), " duty would cost the seller ",
                      text(beyond_profit),
                      profit < 0 ? absl::StrCat(" with the item's loss (", text(-profit), ")")
                                 : absl::StrCat(" beyond the item's profit (", text(profit), ")"),
                      ", more than a return (", text(ret), "): offer a return instead."));
    return d;
  }
  if (c.seller_at_fault) {
    d.outcome = DutyOutcome::kSellerPays;
    d.seller_pays = c.duty;
    Fire(d, duty_rule_id::kSellerAtFaultPays,
         absl::StrCat(why, ": the seller pays the whole ", text(duty),
                      " duty; the buyer carries none of it."));
    return d;
  }
  const int64_t covered = std::clamp<int64_t>(profit, 0, duty);
  const int64_t uncovered = duty - covered;
  if (profit >= duty || profit <= 0) {
    d.outcome = DutyOutcome::kSellerPays;
    d.seller_pays = c.duty;
    if (profit >= duty) {
      Fire(d, duty_rule_id::kSellerPaysWithinProfit,
           absl::StrCat(why, ": the seller pays the ", text(duty), " duty; the item's profit (",
                        text(profit), ") covers it."));
    } else {
      Fire(d, duty_rule_id::kSellerPaysNoProfitToShare,
           absl::StrCat(why, ": the seller pays the ", text(duty),
                        " duty; there is no profit to share it from, and it costs less than "
                        "a return (",
                        text(ret), ")."));
    }
    return d;
  }
  d.outcome = DutyOutcome::kShared;
  d.seller_pays = money(covered);
  d.buyer_pays = money(uncovered);
  Fire(d, duty_rule_id::kShared,
       absl::StrCat(why, ": the ", text(duty), " duty is more than the item's profit (",
                    text(profit), "); the seller covers ", text(covered),
                    " and asks the buyer for ", text(uncovered),
                    ". If the buyer refuses, the seller pays it all: still no more than a "
                    "return (",
                    text(ret), ")."));
  return d;
}

}  // namespace aftersales::returns
