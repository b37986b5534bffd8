#include "services/reviews/outreach_outbox.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/channel.h"
#include "common/identity.h"
#include "common/status.h"
#include "common/time_util.h"
#include "services/reviews/review_store.h"

namespace aftersales::reviews {
namespace {

// Records on the case that its message reached the ticket, and which ticket the thread is.
absl::Status RecordDelivery(Transaction& tx, const OutboxEntry& entry, const std::string& ticket_id, absl::Time now) {
  if (entry.kind == kReviewRequest) return absl::OkStatus();
  absl::StatusOr<v1::OutreachCase> outreach = store::ReadCase(tx, entry.subject_id, /*for_update=*/true);
  if (!outreach.ok()) return outreach.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : outreach.status();
  absl::string_view message_id = entry.idem_key;
  absl::ConsumePrefix(&message_id, kMessageKeyPrefix);
  if (outreach->ticket_id().empty()) outreach->set_ticket_id(ticket_id);
  for (v1::OutreachMessage& m : *outreach->mutable_messages()) {
    if (m.message_id() == message_id) m.set_delivered(true);
  }
  *outreach->mutable_updated_at() = ToProtoTime(now);
  return store::UpdateCase(tx, *outreach);
}

}  // namespace

OutreachOutbox::OutreachOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                               std::shared_ptr<const IdentitySigner> identity, std::function<absl::Time()> clock,
                               absl::Duration call_timeout)
    : db_(db),
      stub_(tickets::v1::TicketsService::NewStub(std::move(tickets))),
      identity_(std::move(identity)),
      call_timeout_(call_timeout),
      deliverer_(
          db, [this](const OutboxEntry& entry) { return Deliver(entry); }, RecordDelivery,
          4 * call_timeout + absl::Seconds(5), std::move(clock)) {}

absl::StatusOr<std::string> OutreachOutbox::Deliver(const OutboxEntry& entry) {
  grpc::ClientContext context;
  PrepareClientContext(context, call_timeout_, identity_->Sign(ServiceCaller("reviews"), absl::Now()),
                       absl::StrCat("outbox-", entry.outbox_id));
  context.AddMetadata(kIdempotencyKeyHeader, entry.idem_key);
  if (entry.kind == kOpenThread || entry.kind == kReviewRequest) {
    tickets::v1::CreateTicketRequest request;
    if (!request.ParseFromString(entry.payload)) return absl::DataLossError("the stored request is unreadable");
    tickets::v1::CreateTicketResponse response;
    const grpc::Status status = stub_->CreateTicket(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response.ticket().ticket_id();
  }
  if (entry.kind != kAddMessage) return absl::DataLossError(absl::StrCat("unknown outbox entry kind '", entry.kind, "'"));
  tickets::v1::AddMessageRequest request;
  if (!request.ParseFromString(entry.payload)) return absl::DataLossError("the stored request is unreadable");
  // The thread's ticket is known once the case's first message was delivered.
  absl::StatusOr<v1::OutreachCase> outreach = db_.InTransaction<v1::OutreachCase>(
      [&](Transaction& tx) { return store::ReadCase(tx, entry.subject_id, /*for_update=*/false); });
  if (!outreach.ok()) return outreach.status();
  if (outreach->ticket_id().empty()) {
    // Waiting for the thread's first message, unless that one failed for good: then this one
    // fails too, for a person, instead of waiting forever.
    absl::StatusOr<int64_t> failed_openers =
        db_.InTransaction<int64_t>([&](Transaction& tx) -> absl::StatusOr<int64_t> {
          absl::StatusOr<Row> row = tx.QueryOne(
              "SELECT COUNT(*) FROM outbox WHERE store_id = ? AND subject_id = ? AND kind = ? AND "
              "state = 'FAILED'",
              {entry.store_id, entry.subject_id, std::string(kOpenThread)}, "");
          if (!row.ok()) return row.status();
          return row->Int(0);
        });
    if (!failed_openers.ok()) return failed_openers.status();
    if (*failed_openers > 0) {
      return absl::FailedPreconditionError(
          "the case's first message failed for good: requeue it (or send again) before this one");
    }
    return absl::UnavailableError("the case's thread is not open yet: its first message is still on its way");
  }
  request.set_ticket_id(outreach->ticket_id());
  tickets::v1::AddMessageResponse response;
  const grpc::Status status = stub_->AddMessage(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return outreach->ticket_id();
}

}  // namespace aftersales::reviews
