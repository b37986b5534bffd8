#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

// A method gRPC may retry on its own: "package.Service/Method".
struct RetryableMethod {
  std::string service;
  std::string method;
};

// One channel per target, to be reused for every call to it. The listed methods are retried by
// the channel on UNAVAILABLE, up to 4 attempts with exponential backoff. List reads, and a write
// only when every call of it on this channel carries an idempotency key (the returns outbox's
// CreateTicket): retry is set per method, a write is safe to repeat only per call, and a service
// answers UNAVAILABLE also when a commit's outcome is unknown.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const std::vector<RetryableMethod>& retryable);

// The service config MakeChannel installs, as JSON.
std::string RetryServiceConfig(const std::vector<RetryableMethod>& retryable);

// Sets the deadline and passes on who is calling (a signed identity token, IdentitySigner) and
// the request id.
void PrepareClientContext(grpc::ClientContext& context, absl::Duration timeout,
                          absl::string_view identity_token, absl::string_view request_id);

}  // namespace aftersales
