#pragma once

// Reads a claim's evidence from the services that own it, over gRPC: the tickets service's
// order history (order, shipments and tracking, every ticket with its messages) and the returns
// service's returns of the order, both at once, each under its own deadline. A source that is
// down or slow is reported as missing with the reason, never waited on past its deadline.

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/identity_token.h"
#include "services/claims/packet_builder.h"

namespace aftersales::claims {

struct EvidenceReaderOptions {
  absl::Duration tickets_timeout = absl::Seconds(2);
  absl::Duration returns_timeout = absl::Seconds(2);
};

using EvidenceReader =
    std::function<EvidenceSources(const std::string& store_id, const std::string& order_id)>;

EvidenceReader GrpcEvidenceReader(std::shared_ptr<grpc::Channel> tickets,
                                  std::shared_ptr<grpc::Channel> returns,
                                  EvidenceReaderOptions options,
                                  std::shared_ptr<const IdentitySigner> identity);

// How many of a store's orders the tickets service holds that were placed in [from, to).
using OrderCounter = std::function<absl::StatusOr<int64_t>(const std::string& store_id, absl::Time from,
                                                           absl::Time to)>;

OrderCounter GrpcOrderCounter(std::shared_ptr<grpc::Channel> tickets, absl::Duration timeout,
                              std::shared_ptr<const IdentitySigner> identity);

}  // namespace aftersales::claims
