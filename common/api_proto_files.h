#pragma once

#include <string_view>
#include <vector>

namespace aftersales {

// Every API .proto file compiled into aftersales_protos, "aftersales/tickets/v1/tickets.proto".
// Defined in the file cmake/protos.cmake generates, so a new service's protos are listed without
// code changes. (std::string_view, not absl::string_view: that is what the generated file uses.)
const std::vector<std::string_view>& ApiProtoFiles();

}  // namespace aftersales
