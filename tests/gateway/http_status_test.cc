#include "gateway/http_status.h"

#include <gtest/gtest.h>

namespace aftersales::gateway {
namespace {

struct Row {
  grpc::StatusCode code;
  const char* name;
  int http_status;
};

TEST(HttpStatus, EveryGrpcCodeMapsAsEnvoyAndGrpcGatewayDo) {
  const Row rows[] = {
      {grpc::StatusCode::OK, "OK", 200},
      {grpc::StatusCode::CANCELLED, "CANCELLED", 499},
      {grpc::StatusCode::UNKNOWN, "UNKNOWN", 500},
      {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT", 400},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", 504},
      {grpc::StatusCode::NOT_FOUND, "NOT_FOUND", 404},
      {grpc::StatusCode::ALREADY_EXISTS, "ALREADY_EXISTS", 409},
      {grpc::StatusCode::PERMISSION_DENIED, "PERMISSION_DENIED", 403},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED", 429},
      {grpc::StatusCode::FAILED_PRECONDITION, "FAILED_PRECONDITION", 400},
      {grpc::StatusCode::ABORTED, "ABORTED", 409},
      {grpc::StatusCode::OUT_OF_RANGE, "OUT_OF_RANGE", 400},
      {grpc::StatusCode::UNIMPLEMENTED, "UNIMPLEMENTED", 501},
      {grpc::StatusCode::INTERNAL, "INTERNAL", 500},
      {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE", 503},
      {grpc::StatusCode::DATA_LOSS, "DATA_LOSS", 500},
      {grpc::StatusCode::UNAUTHENTICATED, "UNAUTHENTICATED", 401},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(HttpStatusFromGrpcCode(row.code), row.http_status) << row.name;
    EXPECT_EQ(GrpcCodeName(row.code), row.name);
  }
}

TEST(HttpStatus, CodeGrpcDoesNotDefineIsUnknownAnd500) {
  const auto undefined = static_cast<grpc::StatusCode>(42);
  EXPECT_EQ(HttpStatusFromGrpcCode(undefined), 500);
  EXPECT_EQ(GrpcCodeName(undefined), "UNKNOWN");
  EXPECT_EQ(HttpStatusFromGrpcCode(static_cast<grpc::StatusCode>(-1)), 500);
}

TEST(HttpStatus, ErrorBodyIsJsonWithCodeNameMessageAndEmptyDetails) {
  EXPECT_EQ(ErrorBody(grpc::StatusCode::NOT_FOUND, "ticket \"T1\" not found"),
            R"({"code":"NOT_FOUND","message":"ticket \"T1\" not found","details":[]})");
}

}  // namespace
}  // namespace aftersales::gateway
