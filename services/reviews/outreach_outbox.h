#pragma once

#include <functional>
#include <map>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/identity_token.h"
#include "common/mysql.h"
#include "common/outbox.h"

namespace aftersales::reviews {

// What the reviews service's outbox entries ask of the tickets service.
inline constexpr char kOpenThread[] = "open_thread";        // a case's first message: CreateTicket
inline constexpr char kAddMessage[] = "add_message";        // a later one: AddMessage on its ticket
inline constexpr char kReviewRequest[] = "review_request";  // an order's review request: CreateTicket
// An entry's idempotency key is this prefix and the outreach message's id.
inline constexpr char kMessageKeyPrefix[] = "reviews-message-";

// Delivers outreach messages and review requests to the tickets service (common/outbox.h):
// sent once with the entry's idempotency key however often tickets is down or an answer is
// lost. A delivered first message records the thread's ticket on its case; a later message waits
// (retried) until its case's thread is open.
class OutreachOutbox {
 public:
  OutreachOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets, std::shared_ptr<const IdentitySigner> identity,
                 std::function<absl::Time()> clock = [] { return absl::Now(); },
                 absl::Duration call_timeout = absl::Seconds(5));

  absl::StatusOr<int> DeliverDue(int batch_size) { return deliverer_.DeliverDue(batch_size); }
  absl::StatusOr<std::map<std::string, int64_t>> CountByState() { return deliverer_.CountByState(); }

 private:
  absl::StatusOr<std::string> Deliver(const OutboxEntry& entry);

  Database& db_;
  std::unique_ptr<tickets::v1::TicketsService::Stub> stub_;
  std::shared_ptr<const IdentitySigner> identity_;
  absl::Duration call_timeout_;
  OutboxDeliverer deliverer_;
};

}  // namespace aftersales::reviews
