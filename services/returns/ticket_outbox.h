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

namespace aftersales::returns {

// The returns service's outbox (common/outbox.h): each entry is a CreateTicket call for a
// return (kind open_ticket), sent with the entry's idempotency key; a delivered entry links the
// ticket to its return.
class TicketOutbox {
 public:
  TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
               std::shared_ptr<const IdentitySigner> identity,
               std::function<absl::Time()> clock = [] { return absl::Now(); },
               absl::Duration call_timeout = absl::Seconds(5));

  // Delivers up to batch_size due entries; returns how many were delivered.
  absl::StatusOr<int> DeliverDue(int batch_size) { return deliverer_.DeliverDue(batch_size); }
  // Entries by state (PENDING, FAILED), for /metrics.
  absl::StatusOr<std::map<std::string, int64_t>> CountByState() { return deliverer_.CountByState(); }

  static absl::Duration Backoff(int attempts) { return OutboxDeliverer::Backoff(attempts); }

 private:
  absl::StatusOr<std::string> OpenTicket(const OutboxEntry& entry);

  std::unique_ptr<tickets::v1::TicketsService::Stub> stub_;
  std::shared_ptr<const IdentitySigner> identity_;
  absl::Duration call_timeout_;
  OutboxDeliverer deliverer_;
};

}  // namespace aftersales::returns
