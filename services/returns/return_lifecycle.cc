#include "services/returns/return_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "services/returns/returns_mapping.h"

namespace aftersales::returns {
namespace {

using v1::Return;

absl::Status Forbidden(const Return& ret, absl::string_view action, absl::string_view hint) {
  return absl::FailedPreconditionError(absl::StrCat("return ", ret.return_id(), " is ",
                                                    Return::Status_Name(ret.status()), ": cannot ",
                                                    action, hint.empty() ? "" : "; ", hint));
}

void Record(Return& ret, const Actor& actor, absl::string_view action, Return::Status to,
            const std::string& note, const Money* amount = nullptr) {
  Return::Event* e = ret.add_history();
  *e->mutable_at() = ToProtoTime(actor.now);
  e->set_action(std::string(action));
  e->set_actor(actor.principal);
  e->set_from_status(ret.status());
  e->set_to_status(to);
  e->set_note(note);
  if (amount != nullptr) *e->mutable_amount() = ToProto(*amount);
  ret.set_status(to);
  *ret.mutable_updated_at() = ToProtoTime(actor.now);
}

bool SellerLabel(const v1::ReturnDecision& d) {
  return d.label() == v1::ReturnLabel::PREPAID || d.label() == v1::ReturnLabel::PREPAID_INSURED;
}

// Everything the buyer paid on the line: the most a refund can be.
Money RefundCeiling(const v1::ReturnCase& c) {
  Money ceiling = FromProto(c.item_price());
  ceiling.amount_minor = ceiling.amount_minor * c.quantity() + c.outbound_shipping().amount_minor();
  return ceiling;
}

// What the agent can do about a refund the return's state refuses.
absl::string_view RefundRefusalHint(Return::Status status) {
  switch (status) {
    case Return::REQUESTED:
      return "authorize it first";
    case Return::REFUNDED:
    case Return::RETURNLESS_REFUNDED:
      return "it has been refunded already; its history shows the amount";
    case Return::REJECTED:
    case Return::CLOSED:
      return "the return is finished";
    default:
      return "refund once the item is on its way back";
  }
}

}  // namespace

bool NothingTravelsBack(const v1::ReturnDecision& d) {
  return d.disposition() == v1::RETURNLESS_REFUND || d.disposition() == v1::ABANDON_AND_REFUND ||
         d.disposition() == v1::PARTIAL_REFUND_KEEP;
}

absl::Status Authorize(Return& ret, const Actor& actor, const std::string& note) {
  if (ret.status() != Return::REQUESTED) return Forbidden(ret, "authorize", "");
  if (ret.decision().platform_handles()) {
    return Forbidden(ret, "authorize", "the platform handles this return (fulfilled by the platform)");
  }
  if (!ret.decision().eligible()) {
    return Forbidden(ret, "authorize",
                     absl::StrCat("it is not eligible (", ret.decision().ineligible_reason(),
                                  "); reject it, or change the store's return policy"));
  }
  Record(ret, actor, "authorize", Return::AUTHORIZED, note);
  return absl::OkStatus();
}

absl::Status IssueLabel(Return& ret, const Actor& actor, const std::string& carrier,
                        const std::string& tracking_number, const Money& cost) {
  if (ret.status() != Return::AUTHORIZED) return Forbidden(ret, "issue a label", "authorize it first");
  if (NothingTravelsBack(ret.decision())) {
    return Forbidden(ret, "issue a label", "nothing travels back on this return: refund it");
  }
  if (!SellerLabel(ret.decision())) {
    return Forbidden(ret, "issue a label",
                     "the buyer arranges the shipping: record their tracking instead");
  }
  ret.set_label_carrier(carrier);
  ret.set_label_tracking_number(tracking_number);
  *ret.mutable_label_cost() = ToProto(cost);
  Record(ret, actor, "issueLabel", Return::LABEL_ISSUED, absl::StrCat(carrier, " ", tracking_number), &cost);
  return absl::OkStatus();
}

absl::Status RecordTracking(Return& ret, const Actor& actor, const std::string& carrier,
                            const std::string& tracking_number) {
  const bool buyer_ships = ret.status() == Return::AUTHORIZED && !SellerLabel(ret.decision()) &&
                           !NothingTravelsBack(ret.decision());
  if (ret.status() != Return::LABEL_ISSUED && !buyer_ships) {
    return Forbidden(ret, "record tracking",
                     ret.status() == Return::AUTHORIZED ? "issue the seller's label first" : "");
  }
  ret.set_return_carrier(carrier);
  ret.set_return_tracking_number(tracking_number);
  Record(ret, actor, "recordTracking", Return::IN_TRANSIT, absl::StrCat(carrier, " ", tracking_number));
  return absl::OkStatus();
}

absl::Status MarkReceived(Return& ret, const Actor& actor, ItemCondition condition,
                          const Money& refund_due, const std::string& note) {
  // Refunded early (on proof of sending): the item's arrival and condition are still recorded,
  // as evidence for a claim; the refund made stands.
  const bool refunded_early = ret.status() == Return::REFUNDED &&
                              ret.received_condition() == v1::CONDITION_UNSPECIFIED;
  if (ret.status() != Return::IN_TRANSIT && ret.status() != Return::LABEL_ISSUED &&
      !refunded_early) {
    return Forbidden(ret, "mark received", "");
  }
  ret.set_received_condition(static_cast<v1::ItemCondition>(static_cast<int>(condition) + 1));
  const std::string said = note.empty() ? absl::StrCat("arrived ", EnumName(condition)) : note;
  if (refunded_early) {
    Record(ret, actor, "markReceived", Return::REFUNDED,
           absl::StrCat(said, "; refunded before it arrived"));
    return absl::OkStatus();
  }
  *ret.mutable_refund_due() = ToProto(refund_due);
  Record(ret, actor, "markReceived", Return::RECEIVED, said, &refund_due);
  return absl::OkStatus();
}

absl::Status CheckRefundApproval(Role role, const Money& amount, const Money& agent_limit,
                                 int64_t earlier_on_order_minor) {
  if (role != Role::kAgent) return absl::OkStatus();
  if (amount.currency_code != agent_limit.currency_code) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the agent approval limit is in ", agent_limit.currency_code, ", the refund in ",
        amount.currency_code, ": a supervisor must make it, or an admin fix the store's policy"));
  }
  if (amount.amount_minor + earlier_on_order_minor <= agent_limit.amount_minor) {
    return absl::OkStatus();
  }
  if (earlier_on_order_minor == 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a refund of ", FormatMoney(amount), " is above the agent approval limit of ",
        FormatMoney(agent_limit), ": a supervisor must make it"));
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "a refund of ", FormatMoney(amount), " after the ",
      FormatMoney(Money{earlier_on_order_minor, amount.currency_code}),
      " you refunded on this order already is above the agent approval limit of ",
      FormatMoney(agent_limit), " per order: a supervisor must make it"));
}

absl::Status Refund(Return& ret, const Actor& actor, const Money& amount, const Money& agent_limit,
                    const std::string& note, int64_t earlier_on_order_minor) {
  Return::Status to;
  if (ret.status() == Return::RECEIVED || ret.status() == Return::IN_TRANSIT) {
    to = Return::REFUNDED;
  } else if (ret.status() == Return::AUTHORIZED && NothingTravelsBack(ret.decision())) {
    to = Return::RETURNLESS_REFUNDED;
  } else {
    return Forbidden(ret, "refund", RefundRefusalHint(ret.status()));
  }
  const Money ceiling = RefundCeiling(ret.return_case());
  if (amount.currency_code != ceiling.currency_code) {
    return absl::InvalidArgumentError(absl::StrCat("amount.currency_code: ", amount.currency_code,
                                                   " is not the order's ", ceiling.currency_code));
  }
  if (amount.amount_minor <= 0 || amount.amount_minor > ceiling.amount_minor) {
    return absl::InvalidArgumentError(absl::StrCat("amount: ", FormatMoney(amount),
                                                   " must be above zero and at most what the buyer paid, ",
                                                   FormatMoney(ceiling)));
  }
  if (absl::Status s = CheckRefundApproval(actor.role, amount, agent_limit, earlier_on_order_minor);
      !s.ok()) {
    return s;
  }
  // More than the rules set (after the restocking fee, a buyer-paid label) overrides them.
  const Money due = FromProto(ret.refund_due());
  const bool overrides = amount.currency_code == due.currency_code && amount.amount_minor > due.amount_minor;
  if (overrides && actor.role == Role::kAgent) {
    return absl::PermissionDeniedError(absl::StrCat("a refund of ", FormatMoney(amount),
                                                    " is above the ", FormatMoney(due),
                                                    " due under the store's rules: a supervisor must make it"));
  }
  *ret.mutable_refunded() = ToProto(amount);
  Record(ret, actor, "refund", to,
         overrides ? absl::StrCat(note, note.empty() ? "" : "; ", "overrides the ", FormatMoney(due), " due")
                   : note,
         &amount);
  return absl::OkStatus();
}

absl::Status Reject(Return& ret, const Actor& actor, const std::string& reason) {
  if (ret.status() != Return::REQUESTED && ret.status() != Return::AUTHORIZED) {
    return Forbidden(ret, "reject", "");
  }
  Record(ret, actor, "reject", Return::REJECTED, reason);
  return absl::OkStatus();
}

absl::Status AcceptAsGoodwill(Return& ret, const Actor& actor, const v1::ReturnDecision& decision,
                              const Money& refund_due, const std::string& reason) {
  if (actor.role != Role::kSupervisor && actor.role != Role::kAdmin) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only a supervisor accepts a return the rules refuse; ", actor.principal, " is ",
        RoleName(actor.role)));
  }
  if (ret.status() != Return::REQUESTED || ret.decision().eligible()) {
    return Forbidden(ret, "accept as goodwill",
                     ret.decision().eligible() ? "the rules accept it already" : "");
  }
  *ret.mutable_decision() = decision;
  *ret.mutable_refund_due() = ToProto(refund_due);
  Record(ret, actor, "acceptGoodwill", Return::REQUESTED, reason, &refund_due);
  return absl::OkStatus();
}

absl::Status Close(Return& ret, const Actor& actor) {
  // A received return with nothing to refund (the buyer got a replacement) is done too.
  const bool received_nothing_due =
      ret.status() == Return::RECEIVED &&
      (ret.decision().disposition() == v1::REPLACE_AND_RETURN || ret.refund_due().amount_minor() == 0);
  // The platform handles it (FBA): the seller records it and is done; no label, no clock.
  const bool platform_handles =
      ret.status() == Return::REQUESTED && ret.decision().platform_handles();
  if (ret.status() != Return::REFUNDED && ret.status() != Return::RETURNLESS_REFUNDED &&
      ret.status() != Return::REJECTED && !received_nothing_due && !platform_handles) {
    return Forbidden(ret, "close", "refund or reject it first");
  }
  Record(ret, actor, "close", Return::CLOSED,
         platform_handles ? "the platform handles the return, its label and the refund" : "");
  return absl::OkStatus();
}

}  // namespace aftersales::returns
