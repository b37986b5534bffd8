#include "common/documents.h"

#include <google/protobuf/util/json_util.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace aftersales {

absl::StatusOr<std::string> ToJsonDocument(const google::protobuf::Message& message) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out);
  if (!status.ok()) return absl::InternalError(absl::StrCat("encode: ", status.ToString()));
  return out;
}

absl::Status FromJsonDocument(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) return absl::InternalError(absl::StrCat("stored document: ", status.ToString()));
  return absl::OkStatus();
}

std::string EncodeTimeCursor(absl::string_view tag, absl::Time at, absl::string_view id) {
  return absl::WebSafeBase64Escape(absl::StrCat(tag, "|", absl::ToUnixMicros(at), "|", id));
}

absl::Status DecodeTimeCursor(absl::string_view tag, absl::string_view token, absl::Time* at, std::string* id) {
  const absl::Status bad = absl::InvalidArgumentError("page_token: not a token this list issued; start without one");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 2));
  int64_t micros = 0;
  if (parts.size() != 3 || parts[0] != tag || !absl::SimpleAtoi(parts[1], &micros)) return bad;
  *at = absl::FromUnixMicros(micros);
  *id = parts[2];
  return absl::OkStatus();
}

}  // namespace aftersales
