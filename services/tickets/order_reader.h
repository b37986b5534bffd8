#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/identity_token.h"

namespace aftersales::tickets {

// The order a store holds in the tickets service: nullopt when it holds none by that id.
using OrderReader = std::function<absl::StatusOr<std::optional<v1::Order>>(const std::string& store_id,
                                                                           const std::string& order_id)>;

// Reads an order from the tickets service, which owns orders, over `channel` as `service` (role
// service, every store), within `timeout` and never past the current call's deadline, passing
// on its request id. NOT_FOUND there is "unknown" (nullopt) here; any other failure is returned
// as it is.
OrderReader TicketsOrderReader(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                               std::shared_ptr<const IdentitySigner> identity, std::string service);

}  // namespace aftersales::tickets
