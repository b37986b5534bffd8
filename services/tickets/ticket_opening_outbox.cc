#include "services/tickets/ticket_opening_outbox.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/status.h"

namespace aftersales::tickets {

TicketOpeningOutbox::TicketOpeningOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                                         std::shared_ptr<const IdentitySigner> identity, std::string service,
                                         OutboxDeliverer::OnDelivered link, std::function<absl::Time()> clock,
                                         absl::Duration call_timeout)
    : stub_(v1::TicketsService::NewStub(std::move(tickets))),
      identity_(std::move(identity)),
      service_(std::move(service)),
      call_timeout_(call_timeout),
      // The lease outlives every attempt the channel may make (4 attempts of call_timeout).
      deliverer_(
          db, [this](const OutboxEntry& entry) { return OpenTicket(entry); }, std::move(link),
          4 * call_timeout + absl::Seconds(5), std::move(clock)) {}

absl::StatusOr<std::string> TicketOpeningOutbox::OpenTicket(const OutboxEntry& entry) {
  if (entry.kind != "open_ticket") {
    return absl::DataLossError(absl::StrCat("unknown outbox entry kind '", entry.kind, "'"));
  }
  v1::CreateTicketRequest request;
  if (!request.ParseFromString(entry.payload)) return absl::DataLossError("the stored request is unreadable");
  grpc::ClientContext context;
  PrepareClientContext(context, call_timeout_, identity_->Sign(ServiceCaller(service_), absl::Now()),
                       absl::StrCat("outbox-", entry.outbox_id));
  context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
  v1::CreateTicketResponse response;
  const grpc::Status status = stub_->CreateTicket(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.ticket().ticket_id();
}

}  // namespace aftersales::tickets
