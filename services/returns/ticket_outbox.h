#pragma once

#include <functional>
#include <map>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/identity_token.h"
#include "common/mysql.h"
#include "services/returns/return_store.h"

namespace aftersales::returns {

// Delivers the outbox to the tickets service: each entry is a CreateTicket call sent with the
// entry's idempotency key, so however often it is sent (tickets down, a lost answer, two
// replicas) the ticket appears once. A delivered entry links the ticket to its return.
//
// Entries are leased in a short transaction and called with no transaction open, so a slow
// tickets service holds no database locks. An outage (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED,
// RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, and UNAUTHENTICATED: identity keys that disagree are a
// deployment's mistake, fixed without touching the entry) is retried after 1 s, 2 s, 4 s ... up to 5 minutes; a
// refusal of the request itself (INVALID_ARGUMENT, ...) marks the entry FAILED, logged, for a
// person: retrying it could never succeed.
class TicketOutbox {
 public:
  TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
               std::shared_ptr<const IdentitySigner> identity,
               std::function<absl::Time()> clock = [] { return absl::Now(); },
               absl::Duration call_timeout = absl::Seconds(5));

  // Delivers up to batch_size due entries; returns how many were delivered.
  absl::StatusOr<int> DeliverDue(int batch_size);

  // Entries by state (PENDING, FAILED, DELIVERED), for /metrics.
  absl::StatusOr<std::map<std::string, int64_t>> CountByState();

  // Wait before attempt number `attempts + 1`.
  static absl::Duration Backoff(int attempts);
  // Whether a failed call is worth another attempt.
  static bool IsRetryable(grpc::StatusCode code);

 private:
  // OK when delivered.
  absl::Status DeliverOne(const store::OutboxEntry& entry);
  absl::Status Record(const std::function<absl::Status(Transaction&)>& write);

  Database& db_;
  std::unique_ptr<tickets::v1::TicketsService::Stub> stub_;
  std::shared_ptr<const IdentitySigner> identity_;
  std::function<absl::Time()> clock_;
  absl::Duration call_timeout_;
};

}  // namespace aftersales::returns
