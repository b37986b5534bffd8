#include "services/returns/ticket_outbox.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "services/returns/return_store.h"

namespace aftersales::returns {

TicketOutbox::TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                           std::function<absl::Time()> clock, absl::Duration call_timeout)
    : db_(db),
      stub_(tickets::v1::TicketsService::NewStub(std::move(tickets))),
      clock_(std::move(clock)),
      call_timeout_(call_timeout) {}

absl::Duration TicketOutbox::Backoff(int attempts) {
  return std::min(absl::Seconds(1) * (int64_t{1} << std::min(attempts, 20)), absl::Minutes(5));
}

absl::StatusOr<int> TicketOutbox::DeliverDue(int batch_size) {
  // The rows stay locked while their calls run: another replica skips them, never sends twice
  // at once. A call is bounded by call_timeout, so the lock is too.
  return db_.InTransaction<int>([&](Transaction& tx) -> absl::StatusOr<int> {
    const absl::Time now = clock_();
    absl::StatusOr<std::vector<store::OutboxEntry>> due = store::ClaimDueOutbox(tx, now, batch_size);
    if (!due.ok()) return due.status();
    int delivered = 0;
    for (const store::OutboxEntry& entry : *due) {
      tickets::v1::CreateTicketRequest request;
      if (entry.kind != "open_ticket" || !request.ParseFromString(entry.payload)) {
        RETURN_IF_ERROR(store::MarkOutboxFailed(tx, entry.outbox_id,
                                                absl::StrCat("unknown entry kind ", entry.kind),
                                                now + absl::Hours(24)));
        continue;
      }
      grpc::ClientContext context;
      PrepareClientContext(context, call_timeout_, "returns-service", "service", "*", "");
      context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
      tickets::v1::CreateTicketResponse response;
      const grpc::Status status = stub_->CreateTicket(&context, request, &response);
      if (!status.ok()) {
        const absl::Time next = now + Backoff(entry.attempts);
        LogWarning("ticket for return not opened yet; will retry",
                   {{"return_id", entry.return_id},
                    {"attempt", absl::StrCat(entry.attempts + 1)},
                    {"error", status.error_message()},
                    {"next_attempt_at", ToSqlTime(next)}});
        RETURN_IF_ERROR(store::MarkOutboxFailed(
            tx, entry.outbox_id, absl::StrCat(status.error_code(), ": ", status.error_message()), next));
        continue;
      }
      absl::StatusOr<v1::Return> ret = store::ReadReturn(tx, entry.return_id, /*for_update=*/true);
      if (!ret.ok()) return ret.status();
      ret->set_ticket_id(response.ticket().ticket_id());
      v1::Return::Event* e = ret->add_history();
      *e->mutable_at() = ToProtoTime(now);
      e->set_action("ticketOpened");
      e->set_actor("returns-service");
      e->set_from_status(ret->status());
      e->set_to_status(ret->status());
      e->set_note(response.ticket().ticket_id());
      RETURN_IF_ERROR(store::UpdateReturn(tx, *ret));
      RETURN_IF_ERROR(store::MarkOutboxDelivered(tx, entry.outbox_id, now));
      ++delivered;
    }
    return delivered;
  });
}

}  // namespace aftersales::returns
