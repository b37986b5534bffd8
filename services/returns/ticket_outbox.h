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
#include "services/tickets/ticket_opening_outbox.h"

namespace aftersales::returns {

// The returns service's outbox (common/outbox.h): each entry is a CreateTicket call for a
// return (kind open_ticket), sent with the entry's idempotency key; a delivered entry links the
// ticket to its return.
class TicketOutbox : public tickets::TicketOpeningOutbox {
 public:
  TicketOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets,
               std::shared_ptr<const IdentitySigner> identity,
               std::function<absl::Time()> clock = [] { return absl::Now(); },
               absl::Duration call_timeout = absl::Seconds(5));

  static absl::Duration Backoff(int attempts) { return OutboxDeliverer::Backoff(attempts); }
};

}  // namespace aftersales::returns
