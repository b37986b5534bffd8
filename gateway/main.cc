// The HTTP/JSON gateway: reads its settings, builds the routes from the linked API protos, and
// serves until SIGTERM or SIGINT.
#include <signal.h>

#include "common/config.h"
#include "common/log.h"
#include "common/server.h"
#include "common/service_config.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"

int main(int argc, char** argv) {
  aftersales::StartServerProcess("gateway");

  aftersales::Config config("gateway", aftersales::gateway::GatewayConfigVars());
  aftersales::ParseConfigOrExit(config, argc, argv);
  absl::StatusOr<aftersales::gateway::GatewayOptions> options =
      aftersales::gateway::GatewayOptionsFromConfig(config);
  if (!options.ok()) {
    aftersales::LogError("bad configuration", {{"error", std::string(options.status().message())}});
    return 2;
  }
  absl::StatusOr<std::unique_ptr<aftersales::gateway::Gateway>> gateway =
      aftersales::gateway::Gateway::Create(*options);
  if (!gateway.ok()) {
    aftersales::LogError("cannot start", {{"error", std::string(gateway.status().message())}});
    return 2;
  }
  if (absl::Status s = (*gateway)->Start(); !s.ok()) {
    aftersales::LogError("cannot start", {{"error", std::string(s.message())}});
    return 1;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  aftersales::LogInfo("shutting down: draining requests in flight",
                      {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*gateway)->GracefulShutdown();
  return 0;
}
