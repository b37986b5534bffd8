#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/mysql.h"
#include "tests/support/child_process.h"

namespace aftersales::testing {

// A throwaway MariaDB for one test binary: a data directory in a temp dir, a server on
// 127.0.0.1 at a free port, stopped by pid and removed when destroyed. Durability settings are
// the server's defaults (InnoDB flushes at every commit), the same a service gets.
class MariaDbServer {
 public:
  static absl::StatusOr<std::unique_ptr<MariaDbServer>> Start();
  ~MariaDbServer();

  int port() const { return port_; }
  const std::string& socket_path() const { return socket_; }
  // Options for a database on this server (created by the service when absent).
  DatabaseOptions Options(const std::string& database) const;
  // Stops the server (SIGTERM) and starts it again on the same port and data: a restart.
  absl::Status Restart();
  absl::Status Stop();
  // SIGKILL: the server dies mid-write, as on a node crash; StartAgain then runs InnoDB's
  // crash recovery.
  absl::Status Kill();
  absl::Status StartAgain();
  // SIGSTOP / SIGCONT: a server that keeps its connections open and answers nothing, as one
  // behind a network partition does.
  absl::Status Freeze();
  absl::Status Thaw();

 private:
  MariaDbServer() = default;
  absl::Status Launch();

  std::string dir_;
  std::string socket_;
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

// The MariaDB server binaries, from PATH or /usr/sbin.
std::string FindProgram(const std::string& name);

}  // namespace aftersales::testing
