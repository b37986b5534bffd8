#include "services/tickets/outbound_screen.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "aftersales/reviews/v1/reviews.grpc.pb.h"
#include "common/call_scope.h"
#include "common/channel.h"
#include "common/status.h"
#include "services/reviews/screen_verdict.h"

namespace aftersales::tickets {

OutboundScreener ReviewsOutboundScreener(std::shared_ptr<grpc::Channel> reviews, absl::Duration timeout,
                                         std::shared_ptr<const IdentitySigner> identity) {
  std::shared_ptr<reviews::v1::ReviewsService::Stub> stub = reviews::v1::ReviewsService::NewStub(std::move(reviews));
  return [stub, timeout, identity](const Caller& caller, absl::string_view text) -> absl::Status {
    if (caller.role == Role::kService && caller.principal == ServiceCaller("reviews").principal) return absl::OkStatus();
    const absl::Duration left = std::min(timeout, CurrentCall().deadline - absl::Now());
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("the deadline passed before the message could be screened; nothing was stored");
    }
    grpc::ClientContext context;
    PrepareClientContext(context, left, identity->Sign(ServiceCaller("tickets"), absl::Now()), CurrentCall().request_id);
    reviews::v1::ScreenMessageRequest request;
    request.set_text(std::string(text));
    reviews::v1::ScreenMessageResponse response;
    const grpc::Status status = stub->ScreenMessage(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      return absl::InvalidArgumentError(absl::StrCat("body: ", status.error_message()));
    }
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      // The services disagree on identity keys or access: a deployment's mistake, not a retry.
      return absl::InternalError(absl::StrCat("the message was not stored: the phrase filter refused this service (",
                                              status.error_message(), "); check the identity key"));
    }
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the message was not stored: the phrase filter could not screen it (",
          FromPeerStatus(status, "reviews").message(), "); nothing was sent, try again"));
    }
    if (response.allowed()) return absl::OkStatus();
    return reviews::BlockedMessage(response);
  };
}

}  // namespace aftersales::tickets
