#include "services/returns/ticket_outbox.h"

#include "absl/strings/str_cat.h"
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
    : TicketOpeningOutbox(db, std::move(tickets), std::move(identity), "returns", LinkTicket,
                          std::move(clock), call_timeout) {}

}  // namespace aftersales::returns
