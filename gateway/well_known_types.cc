#include "gateway/well_known_types.h"

#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace aftersales::gateway {

WellKnownType WellKnownTypeOf(const google::protobuf::Descriptor& type) {
  absl::string_view name = type.full_name();
  if (!absl::ConsumePrefix(&name, "google.protobuf.")) {
    return WellKnownType::kNone;
  }
  if (name == "Timestamp") return WellKnownType::kTimestamp;
  if (name == "Duration") return WellKnownType::kDuration;
  if (name == "DoubleValue" || name == "FloatValue" || name == "Int64Value" ||
      name == "UInt64Value" || name == "Int32Value" || name == "UInt32Value" ||
      name == "BoolValue" || name == "StringValue" || name == "BytesValue") {
    return WellKnownType::kWrapper;
  }
  if (name == "FieldMask") return WellKnownType::kFieldMask;
  if (name == "Any") return WellKnownType::kAny;
  if (name == "Struct") return WellKnownType::kStruct;
  if (name == "Value") return WellKnownType::kValue;
  if (name == "ListValue") return WellKnownType::kListValue;
  return WellKnownType::kNone;
}

}  // namespace aftersales::gateway
