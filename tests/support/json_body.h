#pragma once

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/http_client.h"

namespace aftersales::testing {

// An HTTP body read as the message it should hold; a body that is not one fails the test.
template <typename M>
M ParseBody(const HttpResult& r) {
  M m;
  const auto status = google::protobuf::util::JsonStringToMessage(r.body, &m);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << r.body;
  return m;
}

// The gateway's error body: {"code": "NOT_FOUND", "message": "...", "details": []}.
inline std::string ErrorCode(const HttpResult& r) {
  const auto body = ParseBody<google::protobuf::Struct>(r);
  auto it = body.fields().find("code");
  return it == body.fields().end() ? "" : it->second.string_value();
}
inline std::string ErrorMessage(const HttpResult& r) {
  const auto body = ParseBody<google::protobuf::Struct>(r);
  auto it = body.fields().find("message");
  return it == body.fields().end() ? "" : it->second.string_value();
}

}  // namespace aftersales::testing
