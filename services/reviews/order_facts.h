#pragma once

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/identity_token.h"
#include "services/reviews/outreach_rules.h"

namespace aftersales::reviews {

// Reads what the tickets service (the order, its deliveries, its tickets) and the returns
// service (its returns and refunds) know about an order. UNAVAILABLE when either cannot answer
// in time: the caller decides whether to go on without (a cause guess) or refuse (a review
// request, which must never go to a buyer with an open ticket or return).
using OrderFactsReader =
    std::function<absl::StatusOr<OrderFacts>(const std::string& store_id, const std::string& order_id)>;

OrderFactsReader GrpcOrderFactsReader(std::shared_ptr<grpc::Channel> tickets, std::shared_ptr<grpc::Channel> returns,
                                      absl::Duration timeout, std::shared_ptr<const IdentitySigner> identity);

}  // namespace aftersales::reviews
