#pragma once

// For services that open tickets in the tickets service through their own outbox (returns for a
// return or a missed deadline, claims for a claim's alerts): each entry of kind open_ticket is a
// CreateTicketRequest sent with the entry's idempotency key, so a retry never opens a second
// ticket; `link` records the ticket on the caller's own row in the delivering transaction.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/identity_token.h"
#include "common/mysql.h"
#include "common/outbox.h"

namespace aftersales::tickets {

class TicketOpeningOutbox {
 public:
  // service: the calling service's name, as its identity token says ("returns", "claims").
  TicketOpeningOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
                      std::shared_ptr<const IdentitySigner> identity, std::string service,
                      OutboxDeliverer::OnDelivered link, std::function<absl::Time()> clock,
                      absl::Duration call_timeout);

  // Delivers up to batch_size due entries; returns how many were delivered.
  absl::StatusOr<int> DeliverDue(int batch_size) { return deliverer_.DeliverDue(batch_size); }
  // Entries by state (PENDING, FAILED), for /metrics.
  absl::StatusOr<std::map<std::string, int64_t>> CountByState() { return deliverer_.CountByState(); }

 private:
  absl::StatusOr<std::string> OpenTicket(const OutboxEntry& entry);

  std::unique_ptr<v1::TicketsService::Stub> stub_;
  std::shared_ptr<const IdentitySigner> identity_;
  std::string service_;
  absl::Duration call_timeout_;
  OutboxDeliverer deliverer_;
};

}  // namespace aftersales::tickets
