#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

// Rows kept whole as protobuf JSON: the document column beside the columns lists filter on.
absl::StatusOr<std::string> ToJsonDocument(const google::protobuf::Message& message);
// Unknown fields are ignored, so documents a newer build wrote stay readable.
absl::Status FromJsonDocument(const std::string& json, google::protobuf::Message* message);

// A keyset page cursor: the (time, id) of the last row shown, tagged with the list it belongs
// to, as an opaque URL-safe token.
std::string EncodeTimeCursor(absl::string_view tag, absl::Time at, absl::string_view id);
// INVALID_ARGUMENT naming page_token when the token is not one this list issued.
absl::Status DecodeTimeCursor(absl::string_view tag, absl::string_view token, absl::Time* at, std::string* id);

}  // namespace aftersales
