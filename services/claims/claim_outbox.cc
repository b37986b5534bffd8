#include "services/claims/claim_outbox.h"

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/status.h"
#include "common/time_util.h"
#include "services/claims/claim_store.h"

namespace aftersales::claims {
namespace {

// The claim's ticket is the first alert's; later alerts open their own and leave the link.
absl::Status LinkTicket(Transaction& tx, const OutboxEntry& entry, const std::string& ticket_id, absl::Time now) {
  absl::StatusOr<v1::Claim> claim = store::ReadClaim(tx, entry.subject_id, /*for_update=*/true);
  if (!claim.ok()) return claim.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : claim.status();
  if (!claim->ticket_id().empty()) return absl::OkStatus();
  claim->set_ticket_id(ticket_id);
  v1::Claim::Event* e = claim->add_history();
  *e->mutable_at() = ToProtoTime(now);
  e->set_action("ticket_opened");
  e->set_actor("claims-service");
  e->set_note(ticket_id);
  return store::UpdateClaim(tx, *claim);
}

}  // namespace

ClaimOutbox::ClaimOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                         std::shared_ptr<const IdentitySigner> identity, std::function<absl::Time()> clock,
                         absl::Duration call_timeout)
    : stub_(tickets::v1::TicketsService::NewStub(std::move(tickets))),
      identity_(std::move(identity)),
      call_timeout_(call_timeout),
      // The lease outlives every attempt the channel may make (4 attempts of call_timeout).
      deliverer_(
          db, [this](const OutboxEntry& entry) { return OpenTicket(entry); }, LinkTicket,
          4 * call_timeout + absl::Seconds(5), std::move(clock)) {}

absl::StatusOr<std::string> ClaimOutbox::OpenTicket(const OutboxEntry& entry) {
  if (entry.kind != "open_ticket") {
    return absl::DataLossError(absl::StrCat("unknown outbox entry kind '", entry.kind, "'"));
  }
  tickets::v1::CreateTicketRequest request;
  if (!request.ParseFromString(entry.payload)) return absl::DataLossError("the stored request is unreadable");
  grpc::ClientContext context;
  PrepareClientContext(context, call_timeout_, identity_->Sign(ServiceCaller("claims"), absl::Now()),
                       absl::StrCat("outbox-", entry.outbox_id));
  context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
  tickets::v1::CreateTicketResponse response;
  const grpc::Status status = stub_->CreateTicket(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.ticket().ticket_id();
}

}  // namespace aftersales::claims
