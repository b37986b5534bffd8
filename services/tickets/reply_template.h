#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::tickets {

// The placeholders a template may use. "{{" stands for a literal "{".
const std::vector<std::string>& KnownPlaceholders();

// INVALID_ARGUMENT naming the first unknown or unclosed placeholder in `text` (field names the
// request field, for the message).
absl::Status ValidateTemplateText(absl::string_view field, absl::string_view text);

// Fills every placeholder from `values`. FAILED_PRECONDITION naming the placeholders with no
// value (an order with no shipment has no tracking link): a reply is never sent half-filled.
absl::StatusOr<std::string> RenderTemplateText(absl::string_view text,
                                               const std::map<std::string, std::string>& values);

// "Order #<id>: <topic>" for a reply about an order; the topic alone otherwise.
std::string FormalSubject(absl::string_view order_id, absl::string_view topic);

// Which stored language to use: the one asked for, else the buyer's, else their primary
// subtags ("zh-CN" -> "zh"), else "en", else the first available. Empty when none is stored.
std::string ChooseLanguage(const std::vector<std::string>& available, absl::string_view requested,
                           absl::string_view buyer_language);

// What a reply is written from. Every field but now may be absent.
struct ReplyContext {
  // The ticket replied on: its buyer (name, time zone) and its order.
  const v1::Ticket* ticket = nullptr;
  // The latest shipment of the ticket's order, read through the ticket's store.
  const v1::Shipment* latest_shipment = nullptr;
  std::string store_id;
  std::string agent_name;
  absl::Time now;
  // When the team will answer ({reply_by}): the out-of-hours reply says it.
  std::optional<absl::Time> reply_by;
};

// The value of every placeholder for a reply: the one function behind every rendering (an
// agent's template, the follow-up, the out-of-hours reply). Dates and times are in the buyer's
// time zone (UTC when unknown): that is the calendar they read.
std::map<std::string, std::string> ReplyValues(const ReplyContext& context);

// What a greeting calls a buyer whose name we do not know, in their language ("there",
// "zusammen", "顾客"): English when we have no word in theirs.
absl::string_view AnonymousBuyerName(absl::string_view language);

// The text sent when a store keeps no template of that name ("follow_up", "out_of_hours") in a
// language: the language's own where we have one, else English. Empty for other names.
absl::string_view DefaultReplyText(absl::string_view name, absl::string_view language);

}  // namespace aftersales::tickets
