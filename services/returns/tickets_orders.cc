#include "services/returns/tickets_orders.h"

#include <grpcpp/client_context.h>

#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/call_scope.h"
#include "common/channel.h"
#include "common/status.h"

namespace aftersales::returns {

OrderReader TicketsOrderReader(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                               std::shared_ptr<const IdentitySigner> identity) {
  std::shared_ptr<tickets::v1::TicketsService::Stub> stub =
      tickets::v1::TicketsService::NewStub(std::move(channel));
  // As the returns service, not the user: the user's access to the return's store was checked
  // here, and order sync's orders are read whoever asks.
  return [stub, timeout, identity](const std::string& store_id, const std::string& order_id)
             -> absl::StatusOr<std::optional<tickets::v1::Order>> {
    grpc::ClientContext context;
    // Never past the caller's own deadline.
    const absl::Duration left = CurrentCall().deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("the deadline passed before the order could be read");
    }
    PrepareClientContext(context, std::min(timeout, left),
                         identity->Sign(ServiceCaller("returns"), absl::Now()),
                         CurrentCall().request_id);
    tickets::v1::GetOrderRequest request;
    request.set_store_id(store_id);
    request.set_order_id(order_id);
    tickets::v1::GetOrderResponse response;
    const grpc::Status status = stub->GetOrder(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      return std::optional<tickets::v1::Order>();
    }
    if (!status.ok()) return FromGrpcStatus(status);
    return std::optional<tickets::v1::Order>(std::move(*response.mutable_order()));
  };
}

}  // namespace aftersales::returns
