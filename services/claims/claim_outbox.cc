#include "services/claims/claim_outbox.h"

#include "absl/strings/str_cat.h"
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
    : TicketOpeningOutbox(db, std::move(tickets), std::move(identity), "claims", LinkTicket, std::move(clock),
                          call_timeout) {}

}  // namespace aftersales::claims
