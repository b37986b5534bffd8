#include "services/returns/ticket_outbox.h"

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/status.h"
#include "common/time_util.h"
#include "services/returns/return_store.h"

namespace aftersales::returns {
namespace {

// Links the ticket to its return, once, with a line in the return's history.
absl::Status LinkTicket(Transaction& tx, const OutboxEntry& entry, const std::string& ticket_id, absl::Time now) {
  absl::StatusOr<v1::Return> ret = store::ReadReturn(tx, entry.subject_id, /*for_update=*/true);
  if (!ret.ok()) return ret.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : ret.status();
  if (ret->ticket_id() == ticket_id) return absl::OkStatus();
  ret->set_ticket_id(ticket_id);
  v1::Return::Event* e = ret->add_history();
  *e->mutable_at() = ToProtoTime(now);
  e->set_action("ticketOpened");
  e->set_actor("returns-service");
  e->set_from_status(ret->status());
  e->set_to_status(ret->status());
  e->set_note(ticket_id);
  return store::UpdateReturn(tx, *ret);
}

}  // namespace

TicketOutbox::TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                           std::shared_ptr<const IdentitySigner> identity,
                           std::function<absl::Time()> clock, absl::Duration call_timeout)
    : stub_(tickets::v1::TicketsService::NewStub(std::move(tickets))),
      identity_(std::move(identity)),
      call_timeout_(call_timeout),
      // The lease outlives every attempt the channel may make (4 attempts of call_timeout).
      deliverer_(
          db, [this](const OutboxEntry& entry) { return OpenTicket(entry); }, LinkTicket,
          4 * call_timeout + absl::Seconds(5), std::move(clock)) {}

absl::StatusOr<std::string> TicketOutbox::OpenTicket(const OutboxEntry& entry) {
  tickets::v1::CreateTicketRequest request;
  if (entry.kind != "open_ticket") {
    return absl::DataLossError(absl::StrCat("unknown outbox entry kind '", entry.kind, "'"));
  }
  if (!request.ParseFromString(entry.payload)) return absl::DataLossError("the stored request is unreadable");
  grpc::ClientContext context;
  PrepareClientContext(context, call_timeout_, identity_->Sign(ServiceCaller("returns"), absl::Now()),
                       absl::StrCat("outbox-", entry.outbox_id));
  context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
  tickets::v1::CreateTicketResponse response;
  const grpc::Status status = stub_->CreateTicket(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.ticket().ticket_id();
}

}  // namespace aftersales::returns
