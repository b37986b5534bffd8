#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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

}  // namespace aftersales::tickets
