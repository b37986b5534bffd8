#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/mysql.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_server.h"

namespace aftersales::testing {

// The whole system as real processes on 127.0.0.1, as `tools/dev up` runs it: a throwaway
// MariaDB, the named services (each told where the others are through AFTERSALES_<NAME>_TARGET)
// and the gateway routing to all of them. Everything is stopped by pid when it is destroyed.
class RunningSystem {
 public:
  struct Service {
    std::string name;    // "tickets"
    std::string binary;  // path to the built program
    std::vector<std::string> extra_args;
  };

  // gateway_auth: the gateway's authentication flags; empty is development mode (loopback,
  // X-Dev-* headers, HS256 tokens under kTestDevJwtSecret).
  static absl::StatusOr<std::unique_ptr<RunningSystem>> Start(
      const std::vector<Service>& services, const std::string& gateway_binary,
      const std::vector<std::string>& gateway_auth = {});
  ~RunningSystem();

  int http_port() const { return http_port_; }
  int grpc_port(const std::string& service) const { return ports_.at(service); }
  MariaDbServer& db() { return *db_; }
  // A connection to a service's database, for checking what was stored.
  absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(const std::string& name);

  // Stops one service with a signal; returns its exit code.
  absl::StatusOr<int> StopService(const std::string& name, int signal);
  absl::Status StartService(const std::string& name);
  // Another replica of a service on its own port, on the same database, which the gateway does
  // not route to: for proving that work swept from the database is done once across replicas.
  absl::StatusOr<ChildProcess> StartExtraReplica(const std::string& name);
  std::string Log(const std::string& name) const;
  // Waits until the gateway reports every backend ready.
  absl::Status WaitReady(absl::Duration timeout);

 private:
  RunningSystem() = default;
  absl::StatusOr<ChildProcess> Launch(const std::string& name, int port, const std::string& log_name);

  std::unique_ptr<MariaDbServer> db_;
  std::optional<TestLogDir> logs_;
  int http_port_ = 0;
  std::map<std::string, Service> services_;
  std::map<std::string, int> ports_;
  std::map<std::string, std::optional<ChildProcess>> processes_;
  std::optional<ChildProcess> gateway_;
  int extra_replicas_ = 0;
};

}  // namespace aftersales::testing
