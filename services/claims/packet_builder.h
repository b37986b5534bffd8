#pragma once

// An evidence packet from what the tickets and returns services hold about a claim's order:
// the checklist DOMAIN.md asks for the claim's reason, how complete it is, what to do, one
// timeline, and a statement for the marketplace's plain-text response form. Pure: no I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::claims {

// What the sources answered. A source that could not be read is nullopt with the reason: the
// packet is PARTIAL and names it, never silently incomplete.
struct EvidenceSources {
  // The order, its shipments with tracking, and every ticket about it with all its messages.
  std::optional<tickets::v1::GetOrderHistoryResponse> order;
  std::string order_unavailable;
  // Every return of the order, with history, labels and refunds.
  std::optional<std::vector<returns::v1::Return>> returns;
  std::string returns_unavailable;
};

struct PacketOptions {
  // The response form's limit: the statement is cut at a sentence to fit.
  int statement_max_chars = 4000;
};

v1::Packet BuildEvidencePacket(const v1::Claim& claim, const EvidenceSources& sources,
                               absl::Time built_at, const PacketOptions& options);

}  // namespace aftersales::claims
