#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

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

}  // namespace aftersales
