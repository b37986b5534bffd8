#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/api_proto_files.h"
#include "gateway/api_routes.h"

namespace aftersales::fuzzing {

// Every route the gateway serves when each service has its backend: the gateway's own
// BuildApiRoutes over the annotated protos linked in, built once. A target that cannot build
// them aborts at start, since it would fuzz nothing.
inline const gateway::ApiRoutes& AllApiRoutes() {
  static const gateway::ApiRoutes* const routes = [] {
    // A service's backend is the area its file sits in: "aftersales/<area>/v1/<area>.proto".
    std::vector<std::string> backends;
    for (const std::string_view file : ApiProtoFiles()) {
      const std::vector<absl::string_view> parts =
          absl::StrSplit(absl::string_view(file.data(), file.size()), '/');
      if (parts.size() == 4) backends.emplace_back(parts[1]);
    }
    absl::StatusOr<gateway::ApiRoutes> built = gateway::BuildApiRoutes(ApiProtoFiles(), backends);
    if (!built.ok() || built->routes.empty()) {
      std::fprintf(stderr, "cannot build the gateway's routes: %s\n",
                   built.ok() ? "none" : std::string(built.status().message()).c_str());
      std::abort();
    }
    return new gateway::ApiRoutes(*std::move(built));
  }();
  return *routes;
}

}  // namespace aftersales::fuzzing
