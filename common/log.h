#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace aftersales {

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Names the program in every log line; called once from main.
void SetLogProgram(absl::string_view program);
// The name SetLogProgram gave ("aftersales" before it was called).
const char* LogProgram();

// Writes one JSON object on one line to stderr:
// {"ts":"...","level":"info","program":"tickets","msg":"...", ...fields}.
// A field named request_id ties the line to the HTTP request that caused it.
void LogInfo(absl::string_view msg, const LogFields& fields = {});
void LogWarning(absl::string_view msg, const LogFields& fields = {});
void LogError(absl::string_view msg, const LogFields& fields = {});

// A JSON string literal, quotes included, with control characters escaped.
std::string JsonQuote(absl::string_view s);

}  // namespace aftersales
