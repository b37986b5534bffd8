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

namespace aftersales::claims {

// The claims service's outbox (common/outbox.h): each entry is a CreateTicket call for a claim's
// alert (kind open_ticket), sent with the entry's idempotency key; the first delivered links
// its ticket to the claim.
class ClaimOutbox {
 public:
  ClaimOutbox(Database& db, std::shared_ptr<grpc::Channel> tickets, std::shared_ptr<const IdentitySigner> identity,
              std::function<absl::Time()> clock = [] { return absl::Now(); },
              absl::Duration call_timeout = absl::Seconds(5));

  absl::StatusOr<int> DeliverDue(int batch_size) { return deliverer_.DeliverDue(batch_size); }
  absl::StatusOr<std::map<std::string, int64_t>> CountByState() { return deliverer_.CountByState(); }

 private:
  absl::StatusOr<std::string> OpenTicket(const OutboxEntry& entry);

  std::unique_ptr<tickets::v1::TicketsService::Stub> stub_;
  std::shared_ptr<const IdentitySigner> identity_;
  absl::Duration call_timeout_;
  OutboxDeliverer deliverer_;
};

}  // namespace aftersales::claims
