#include "services/tickets/order_reader.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/call_scope.h"
#include "common/channel.h"
#include "common/status.h"

namespace aftersales::tickets {

OrderReader TicketsOrderReader(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                               std::shared_ptr<const IdentitySigner> identity, std::string service) {
  std::shared_ptr<v1::TicketsService::Stub> stub = v1::TicketsService::NewStub(std::move(channel));
  // As the calling service, not the user: the caller checked the user's access to the store,
  // and order sync's orders are read whoever asks.
  return [stub, timeout, identity, service](const std::string& store_id, const std::string& order_id)
             -> absl::StatusOr<std::optional<v1::Order>> {
    grpc::ClientContext context;
    // Never past the caller's own deadline.
    const absl::Duration left = CurrentCall().deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("the deadline passed before the order could be read");
    }
    PrepareClientContext(context, std::min(timeout, left),
                         identity->Sign(ServiceCaller(service), absl::Now()),
                         CurrentCall().request_id);
    v1::GetOrderRequest request;
    request.set_store_id(store_id);
    request.set_order_id(order_id);
    v1::GetOrderResponse response;
    const grpc::Status status = stub->GetOrder(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      return std::optional<v1::Order>();
    }
    if (!status.ok()) return FromPeerStatus(status, "tickets");
    return std::optional<v1::Order>(std::move(*response.mutable_order()));
  };
}

}  // namespace aftersales::tickets
