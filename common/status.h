#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace aftersales {

// The one place absl::Status becomes grpc::Status and back: the codes share their numbers and
// meaning, the message travels unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace aftersales
