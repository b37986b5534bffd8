#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

absl::Time FromProtoTime(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProtoTime(absl::Time t);
// False for a Timestamp left unset (all zero, how an absent field arrives).
inline bool IsSetProtoTime(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

// SQL DATETIME(6) text in UTC: "2026-11-23 08:57:28.123456".
std::string ToSqlTime(absl::Time t);
absl::StatusOr<absl::Time> FromSqlTime(absl::string_view text);

}  // namespace aftersales
