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

namespace aftersales::claims {

// The claims service's outbox: each entry opens a ticket for a claim's alert
// (TicketOpeningOutbox); the first delivered links its ticket to the claim.
class ClaimOutbox : public tickets::TicketOpeningOutbox {
 public:
  ClaimOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets, std::shared_ptr<const IdentitySigner> identity,
              std::function<absl::Time()> clock = [] { return absl::Now(); },
              absl::Duration call_timeout = absl::Seconds(5));
};

}  // namespace aftersales::claims
