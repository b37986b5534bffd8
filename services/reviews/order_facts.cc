#include "services/reviews/order_facts.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "aftersales/returns/v1/returns.grpc.pb.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/call_scope.h"
#include "common/channel.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::reviews {
namespace {

// Outreach and review-request threads are ours, not the buyer's: they say nothing about the
// order's trouble and never block a request.
bool IsOwnThread(tickets::v1::Category category) {
  return category == tickets::v1::REVIEW_OUTREACH || category == tickets::v1::REVIEW_REQUEST;
}

}  // namespace

OrderFactsReader GrpcOrderFactsReader(std::shared_ptr<grpc::Channel> tickets, std::shared_ptr<grpc::Channel> returns,
                                      absl::Duration timeout, std::shared_ptr<const IdentitySigner> identity) {
  std::shared_ptr<tickets::v1::TicketsService::Stub> tickets_stub = tickets::v1::TicketsService::NewStub(tickets);
  std::shared_ptr<returns::v1::ReturnsService::Stub> returns_stub = returns::v1::ReturnsService::NewStub(returns);
  return [=](const std::string& store_id, const std::string& order_id) -> absl::StatusOr<OrderFacts> {
    // Never past the caller's own deadline.
    const absl::Duration left = std::min(timeout, CurrentCall().deadline - absl::Now());
    if (left <= absl::ZeroDuration()) return absl::DeadlineExceededError("the deadline passed before the order could be read");
    OrderFacts facts;
    {
      grpc::ClientContext context;
      PrepareClientContext(context, left, identity->Sign(ServiceCaller("reviews"), absl::Now()), CurrentCall().request_id);
      tickets::v1::GetOrderHistoryRequest request;
      request.set_store_id(store_id);
      request.set_order_id(order_id);
      tickets::v1::GetOrderHistoryResponse history;
      const grpc::Status status = tickets_stub->GetOrderHistory(&context, request, &history);
      if (status.ok()) {
        facts.known = true;
        facts.buyer_id = history.order().buyer().buyer_id();
        facts.marketplace = static_cast<int>(history.order().marketplace());
        facts.site = history.order().site();
        facts.buyer_name = history.order().buyer().name();
        facts.buyer_language = history.order().buyer().language();
        if (history.order().items_size() > 0) facts.product_title = history.order().items(0).title();
        for (const tickets::v1::Shipment& s : history.shipments()) {
          for (const tickets::v1::TrackingEvent& e : s.events()) {
            if (e.code() == "DELIVERED") facts.delivered_at = FromProtoTime(e.occurred_at());
          }
        }
        for (const tickets::v1::Ticket& t : history.tickets()) {
          if (IsOwnThread(t.category())) continue;
          facts.tickets.push_back(
              {FromProtoTime(t.created_at()), static_cast<int>(t.category()), t.status() != tickets::v1::Ticket::RESOLVED});
        }
      } else if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
        return FromPeerStatus(status, "tickets");
      }
    }
    {
      grpc::ClientContext context;
      PrepareClientContext(context, left, identity->Sign(ServiceCaller("reviews"), absl::Now()), CurrentCall().request_id);
      returns::v1::ListReturnsRequest request;
      request.set_store_id(store_id);
      request.set_order_id(order_id);
      request.set_page_size(200);
      returns::v1::ListReturnsResponse list;
      const grpc::Status status = returns_stub->ListReturns(&context, request, &list);
      if (!status.ok()) return FromPeerStatus(status, "returns");
      for (const returns::v1::Return& r : list.returns()) {
        switch (r.status()) {
          case returns::v1::Return::REFUNDED:
          case returns::v1::Return::RETURNLESS_REFUNDED:
            facts.refunded = true;
            break;
          case returns::v1::Return::REJECTED:
          case returns::v1::Return::CLOSED:
            break;
          default:
            facts.open_return = true;
        }
      }
    }
    return facts;
  };
}

}  // namespace aftersales::reviews
