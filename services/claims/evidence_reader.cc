#include "services/claims/evidence_reader.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "aftersales/returns/v1/returns.grpc.pb.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/call_scope.h"
#include "common/channel.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::claims {
namespace {

// Never past the caller's own deadline.
absl::Duration Budget(absl::Duration timeout) {
  return std::min(timeout, CurrentCall().deadline - absl::Now());
}

std::string Why(const grpc::Status& status, absl::string_view service) {
  switch (status.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("the ", service, " service did not answer in time");
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC's text names addresses: FromPeerStatus logs it and says it for a person.
      return std::string(FromPeerStatus(status, service).message());
    default:
      return absl::StrCat("the ", service, " service answered: ",
                          FromGrpcStatus(status).ToString());
  }
}

// Claim-deadline tickets are our own alerts, not evidence of anything said to the buyer.
void DropOwnTickets(tickets::v1::GetOrderHistoryResponse& history) {
  auto* tickets = history.mutable_tickets();
  for (int i = tickets->size() - 1; i >= 0; --i) {
    if (tickets->Get(i).category() == tickets::v1::CLAIM_DEADLINE) tickets->DeleteSubrange(i, 1);
  }
}

}  // namespace

EvidenceReader GrpcEvidenceReader(std::shared_ptr<grpc::Channel> tickets,
                                  std::shared_ptr<grpc::Channel> returns,
                                  EvidenceReaderOptions options,
                                  std::shared_ptr<const IdentitySigner> identity) {
  std::shared_ptr<tickets::v1::TicketsService::Stub> tickets_stub =
      tickets::v1::TicketsService::NewStub(std::move(tickets));
  std::shared_ptr<returns::v1::ReturnsService::Stub> returns_stub =
      returns::v1::ReturnsService::NewStub(std::move(returns));
  return [=](const std::string& store_id, const std::string& order_id) {
    EvidenceSources sources;
    const std::string token = identity->Sign(ServiceCaller("claims"), absl::Now());
    const std::string request_id = CurrentCall().request_id;
    const absl::Duration tickets_budget = Budget(options.tickets_timeout);
    const absl::Duration returns_budget = Budget(options.returns_timeout);
    if (tickets_budget <= absl::ZeroDuration() || returns_budget <= absl::ZeroDuration()) {
      sources.order_unavailable = sources.returns_unavailable =
          "the request's deadline passed before the evidence could be read";
      return sources;
    }

    // Both calls in flight at once (the callback API): the packet takes as long as the slower
    // source, not the sum.
    absl::BlockingCounter done(2);
    grpc::ClientContext tickets_context;
    PrepareClientContext(tickets_context, tickets_budget, token, request_id);
    tickets::v1::GetOrderHistoryRequest history_request;
    history_request.set_store_id(store_id);
    history_request.set_order_id(order_id);
    tickets::v1::GetOrderHistoryResponse history;
    grpc::Status tickets_status;
    tickets_stub->async()->GetOrderHistory(&tickets_context, &history_request, &history,
                                           [&](grpc::Status s) {
                                             tickets_status = std::move(s);
                                             done.DecrementCount();
                                           });

    grpc::ClientContext returns_context;
    PrepareClientContext(returns_context, returns_budget, token, request_id);
    returns::v1::ListReturnsRequest list_request;
    list_request.set_store_id(store_id);
    list_request.set_order_id(order_id);
    list_request.set_page_size(200);
    returns::v1::ListReturnsResponse list;
    grpc::Status returns_status;
    returns_stub->async()->ListReturns(&returns_context, &list_request, &list, [&](grpc::Status s) {
      returns_status = std::move(s);
      done.DecrementCount();
    });
    done.Wait();

    if (tickets_status.ok()) {
      DropOwnTickets(history);
      sources.order = std::move(history);
    } else {
      sources.order_unavailable = Why(tickets_status, "tickets");
    }
    if (!returns_status.ok()) {
      sources.returns_unavailable = Why(returns_status, "returns");
      return sources;
    }
    std::vector<returns::v1::Return> all(list.returns().begin(), list.returns().end());
    // An order with more than 200 returns is not a real order; the rest is read page by page
    // within what is left of the budget.
    while (!list.next_page_token().empty()) {
      grpc::ClientContext next_context;
      const absl::Duration left = Budget(options.returns_timeout);
      if (left <= absl::ZeroDuration()) {
        sources.returns_unavailable = "the returns service did not answer every page in time";
        return sources;
      }
      PrepareClientContext(next_context, left, token, request_id);
      list_request.set_page_token(list.next_page_token());
      list.Clear();
      const grpc::Status s = returns_stub->ListReturns(&next_context, list_request, &list);
      if (!s.ok()) {
        sources.returns_unavailable = Why(s, "returns");
        return sources;
      }
      all.insert(all.end(), list.returns().begin(), list.returns().end());
    }
    sources.returns = std::move(all);
    return sources;
  };
}

OrderCounter GrpcOrderCounter(std::shared_ptr<grpc::Channel> tickets, absl::Duration timeout,
                              std::shared_ptr<const IdentitySigner> identity) {
  std::shared_ptr<tickets::v1::TicketsService::Stub> stub =
      tickets::v1::TicketsService::NewStub(std::move(tickets));
  return [=](const std::string& store_id, absl::Time from, absl::Time to) -> absl::StatusOr<int64_t> {
    const absl::Duration left = Budget(timeout);
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("the deadline passed before the orders could be counted");
    }
    grpc::ClientContext context;
    PrepareClientContext(context, left, identity->Sign(ServiceCaller("claims"), absl::Now()),
                         CurrentCall().request_id);
    tickets::v1::CountOrdersRequest request;
    request.set_store_id(store_id);
    *request.mutable_from() = ToProtoTime(from);
    *request.mutable_to() = ToProtoTime(to);
    tickets::v1::CountOrdersResponse response;
    const grpc::Status status = stub->CountOrders(&context, request, &response);
    if (!status.ok()) return FromPeerStatus(status, "tickets");
    return response.orders();
  };
}

}  // namespace aftersales::claims
