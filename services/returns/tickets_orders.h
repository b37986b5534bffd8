#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "absl/time/time.h"
#include "common/identity_token.h"
#include "services/returns/return_desk.h"

namespace aftersales::returns {

// Reads an order from the tickets service, which owns orders, over `channel` as the returns
// service (role service, every store), within `timeout`, passing on the current call's request
// id. NOT_FOUND there is "unknown" (nullopt) here; any other failure is returned as it is.
OrderReader TicketsOrderReader(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                               std::shared_ptr<const IdentitySigner> identity);

}  // namespace aftersales::returns
