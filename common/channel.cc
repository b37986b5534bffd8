#include "common/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/identity.h"
#include "common/identity_token.h"
#include "common/log.h"

namespace aftersales {

std::string RetryServiceConfig(const std::vector<RetryableMethod>& retryable) {
  std::string names;
  for (const RetryableMethod& m : retryable) {
    absl::StrAppend(&names, names.empty() ? "" : ",", "{\"service\":", JsonQuote(m.service),
                    ",\"method\":", JsonQuote(m.method), "}");
  }
  if (names.empty()) return "{}";
  return absl::StrCat(
      "{\"methodConfig\":[{\"name\":[", names,
      "],\"retryPolicy\":{\"maxAttempts\":4,\"initialBackoff\":\"0.1s\",\"maxBackoff\":\"1s\","
      "\"backoffMultiplier\":2,\"retryableStatusCodes\":[\"UNAVAILABLE\"]}}]}");
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const std::vector<RetryableMethod>& retryable) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(RetryServiceConfig(retryable));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // Notice a dead backend within seconds rather than at the next call's deadline.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

void PrepareClientContext(grpc::ClientContext& context, absl::Duration timeout,
                          absl::string_view identity_token, absl::string_view request_id) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!identity_token.empty()) context.AddMetadata(kIdentityHeader, std::string(identity_token));
  if (!request_id.empty()) context.AddMetadata(kRequestIdHeader, std::string(request_id));
}

}  // namespace aftersales
