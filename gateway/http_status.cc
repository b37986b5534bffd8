#include "gateway/http_status.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace aftersales::gateway {
namespace {

struct CodeRow {
  absl::string_view name;
  int http_status;
};

// The one table, indexed by the gRPC code's number (0..16).
constexpr std::array<CodeRow, 17> kCodes = {{
    {"OK", 200},
    {"CANCELLED", 499},
    {"UNKNOWN", 500},
    {"INVALID_ARGUMENT", 400},
    {"DEADLINE_EXCEEDED", 504},
    {"NOT_FOUND", 404},
    {"ALREADY_EXISTS", 409},
    {"PERMISSION_DENIED", 403},
    {"RESOURCE_EXHAUSTED", 429},
    {"FAILED_PRECONDITION", 400},
    {"ABORTED", 409},
    {"OUT_OF_RANGE", 400},
    {"UNIMPLEMENTED", 501},
    {"INTERNAL", 500},
    {"UNAVAILABLE", 503},
    {"DATA_LOSS", 500},
    {"UNAUTHENTICATED", 401},
}};

const CodeRow& Row(grpc::StatusCode code) {
  const int index = static_cast<int>(code);
  if (index < 0 || index >= static_cast<int>(kCodes.size())) return kCodes[grpc::UNKNOWN];
  return kCodes[index];
}

}  // namespace

int HttpStatusFromGrpcCode(grpc::StatusCode code) { return Row(code).http_status; }

absl::string_view GrpcCodeName(grpc::StatusCode code) { return Row(code).name; }

std::string ErrorBody(grpc::StatusCode code, absl::string_view message) {
  return absl::StrCat("{\"code\":\"", GrpcCodeName(code), "\",\"message\":", JsonQuote(message),
                      ",\"details\":[]}");
}

}  // namespace aftersales::gateway
