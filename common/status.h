#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

// Returns the status of expr from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    if (::absl::Status _status = (expr); !_status.ok()) \
      return _status;                                  \
  } while (0)

namespace aftersales {

// The one place absl::Status becomes grpc::Status and back: the codes share their numbers and
// meaning, the message travels unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// The status of a call to another of our services, as this service answers its own caller.
// When the call failed in transport (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED), gRPC's text
// ("failed to connect to all addresses; ... ipv4:10.0.3.7:50051") names addresses and
// libraries: it goes to the log, and the caller reads which service could not be reached and
// that a retry is safe. Any other status is the peer's own answer and travels unchanged.
absl::Status FromPeerStatus(const grpc::Status& status, absl::string_view service);

}  // namespace aftersales
