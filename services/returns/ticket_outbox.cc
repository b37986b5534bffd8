#include "services/returns/ticket_outbox.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::returns {

TicketOutbox::TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                           std::shared_ptr<const IdentitySigner> identity,
                           std::function<absl::Time()> clock, absl::Duration call_timeout)
    : db_(db),
      stub_(tickets::v1::TicketsService::NewStub(std::move(tickets))),
      identity_(std::move(identity)),
      clock_(std::move(clock)),
      call_timeout_(call_timeout) {}

absl::StatusOr<std::map<std::string, int64_t>> TicketOutbox::CountByState() {
  std::map<std::string, int64_t> counts;
  absl::Status s = db_.InTransaction([&](Transaction& tx) -> absl::Status {
    counts.clear();
    absl::StatusOr<std::vector<Row>> rows =
        tx.Query("SELECT state, COUNT(*) FROM outbox WHERE state <> 'DELIVERED' GROUP BY state");
    if (!rows.ok()) return rows.status();
    for (const Row& row : *rows) counts[row.String(0)] = row.Int(1);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return counts;
}

absl::Duration TicketOutbox::Backoff(int attempts) {
  return std::min(absl::Seconds(1) * (int64_t{1} << std::min(attempts, 20)), absl::Minutes(5));
}

bool TicketOutbox::IsRetryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return true;
    default:
      return false;
  }
}

absl::Status TicketOutbox::Record(const std::function<absl::Status(Transaction&)>& write) {
  return db_.InTransaction(write);
}

absl::StatusOr<int> TicketOutbox::DeliverDue(int batch_size) {
  const absl::Time now = clock_();
  // The lease outlives every attempt the channel may make (4 attempts of call_timeout).
  absl::StatusOr<std::vector<store::OutboxEntry>> leased =
      db_.InTransaction<std::vector<store::OutboxEntry>>(
          [&](Transaction& tx) { return store::LeaseDueOutbox(tx, now, now + 4 * call_timeout_ + absl::Seconds(5), batch_size); });
  if (!leased.ok()) return leased.status();
  int delivered = 0;
  for (const store::OutboxEntry& entry : *leased) {
    // One entry's trouble is its own: the others are still delivered.
    if (DeliverOne(entry).ok()) ++delivered;
  }
  return delivered;
}

absl::Status TicketOutbox::DeliverOne(const store::OutboxEntry& entry) {
  tickets::v1::CreateTicketRequest request;
  if (entry.kind != "open_ticket" || entry.payload.empty() || !request.ParseFromString(entry.payload)) {
    const std::string error = entry.kind != "open_ticket"
                                  ? absl::StrCat("unknown outbox entry kind '", entry.kind, "'")
                                  : "the stored request is unreadable";
    LogError("outbox entry failed for good", {{"return_id", entry.return_id}, {"error", error}});
    RETURN_IF_ERROR(Record([&](Transaction& tx) { return store::MarkOutboxFailed(tx, entry.outbox_id, error); }));
    return absl::DataLossError(error);
  }

  grpc::ClientContext context;
  PrepareClientContext(context, call_timeout_, identity_->Sign(ServiceCaller("returns"), absl::Now()),
                       absl::StrCat("outbox-", entry.outbox_id));
  context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
  tickets::v1::CreateTicketResponse response;
  const grpc::Status status = stub_->CreateTicket(&context, request, &response);
  const absl::Time now = clock_();

  if (!status.ok()) {
    const std::string error = absl::StrCat(status.error_code(), ": ", status.error_message());
    if (!IsRetryable(status.error_code())) {
      LogError("tickets refused the return's ticket; not retrying",
               {{"return_id", entry.return_id}, {"error", error}});
      RETURN_IF_ERROR(Record([&](Transaction& tx) { return store::MarkOutboxFailed(tx, entry.outbox_id, error); }));
      return FromGrpcStatus(status);
    }
    const absl::Time next = now + Backoff(entry.attempts);
    LogWarning("ticket for return not opened yet; will retry",
               {{"return_id", entry.return_id},
                {"attempt", absl::StrCat(entry.attempts + 1)},
                {"error", error},
                {"next_attempt_at", ToSqlTime(next)}});
    RETURN_IF_ERROR(Record([&](Transaction& tx) { return store::MarkOutboxRetry(tx, entry.outbox_id, error, next); }));
    return FromGrpcStatus(status);
  }

  const std::string& ticket_id = response.ticket().ticket_id();
  return Record([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Return> ret = store::ReadReturn(tx, entry.return_id, /*for_update=*/true);
    if (ret.ok() && ret->ticket_id() != ticket_id) {
      ret->set_ticket_id(ticket_id);
      v1::Return::Event* e = ret->add_history();
      *e->mutable_at() = ToProtoTime(now);
      e->set_action("ticketOpened");
      e->set_actor("returns-service");
      e->set_from_status(ret->status());
      e->set_to_status(ret->status());
      e->set_note(ticket_id);
      RETURN_IF_ERROR(store::UpdateReturn(tx, *ret));
    } else if (!ret.ok() && ret.status().code() != absl::StatusCode::kNotFound) {
      return ret.status();
    }
    return store::MarkOutboxDelivered(tx, entry.outbox_id, now);
  });
}

}  // namespace aftersales::returns
