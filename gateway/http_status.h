#pragma once

#include <grpcpp/support/status_code_enum.h>

#include <string>

#include "absl/strings/string_view.h"

namespace aftersales::gateway {

// The HTTP status a gRPC code becomes, as Envoy and grpc-gateway map them: OK 200, CANCELLED 499,
// INVALID_ARGUMENT / OUT_OF_RANGE / FAILED_PRECONDITION 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS / ABORTED 409, RESOURCE_EXHAUSTED 429,
// UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, UNKNOWN / INTERNAL / DATA_LOSS and
// any code gRPC does not define 500.
int HttpStatusFromGrpcCode(grpc::StatusCode code);

// The code's canonical name, "NOT_FOUND"; "UNKNOWN" for a code gRPC does not define.
absl::string_view GrpcCodeName(grpc::StatusCode code);

// The JSON body of every error the gateway returns:
// {"code":"NOT_FOUND","message":"...","details":[]}.
std::string ErrorBody(grpc::StatusCode code, absl::string_view message);

}  // namespace aftersales::gateway
