#pragma once

#include <functional>
#include <memory>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/identity.h"
#include "common/identity_token.h"

namespace aftersales::tickets {

// Judges a message to a buyer before it is stored: OK to send, FAILED_PRECONDITION naming each
// banned phrase, UNAVAILABLE (retryable) when the judge cannot answer in time. A message is
// never stored unscreened.
using OutboundScreener = std::function<absl::Status(const Caller& caller, absl::string_view text)>;

// Asks the reviews service's filter (ScreenMessage) within `timeout`. The reviews service's own
// messages pass without a second call: it screened them already, in their context (the seller-
// feedback note is allowed only there).
OutboundScreener ReviewsOutboundScreener(std::shared_ptr<grpc::Channel> reviews, absl::Duration timeout,
                                         std::shared_ptr<const IdentitySigner> identity);

}  // namespace aftersales::tickets
