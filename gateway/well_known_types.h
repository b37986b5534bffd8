#pragma once

#include <google/protobuf/descriptor.h>

namespace aftersales::gateway {

// The google.protobuf types that the proto3 JSON mapping writes in a form of their own rather
// than as an object of their fields. Empty and the rest are plain messages (kNone).
enum class WellKnownType {
  kNone,
  kTimestamp,  // "2026-11-23T10:00:00Z"
  kDuration,   // "1.5s"
  kWrapper,    // Int32Value & co.: the bare value
  kFieldMask,  // "ticketId,buyer.name"
  kAny,        // {"@type": ..., ...}
  kStruct,     // any JSON object
  kValue,      // any JSON value
  kListValue,  // any JSON array
};

// What the reader, the printer, the query string and the OpenAPI document each need to know about
// a message type, decided in one place.
WellKnownType WellKnownTypeOf(const google::protobuf::Descriptor& type);

// Timestamp, Duration and the wrappers: written as one plain JSON value, so a query parameter or a
// path variable can carry them too.
inline bool IsWellKnownScalar(WellKnownType t) {
  return t == WellKnownType::kTimestamp || t == WellKnownType::kDuration ||
         t == WellKnownType::kWrapper;
}

}  // namespace aftersales::gateway
