#include "common/status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace aftersales {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status FromPeerStatus(const grpc::Status& status, absl::string_view service) {
  const grpc::StatusCode code = status.error_code();
  if (code != grpc::StatusCode::UNAVAILABLE && code != grpc::StatusCode::DEADLINE_EXCEEDED &&
      code != grpc::StatusCode::CANCELLED) {
    return FromGrpcStatus(status);
  }
  LogWarning("call to another service failed",
             {{"service", std::string(service)},
              {"grpc_code", absl::StrCat(code)},
              {"error", status.error_message()}});
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(absl::StrCat("the ", service, " service cannot be reached right now"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(absl::StrCat("the ", service, " service did not answer in time"));
    default:
      return absl::CancelledError(absl::StrCat("the call to the ", service, " service was cancelled"));
  }
}

}  // namespace aftersales
