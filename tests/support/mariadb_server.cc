#include "tests/support/mariadb_server.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace aftersales::testing {

std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = absl::StrCat(path ? path : "", ":/usr/sbin:/usr/bin:/sbin:/bin");
  for (absl::string_view dir : absl::StrSplit(dirs, ':', absl::SkipEmpty())) {
    const std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;
}

absl::StatusOr<std::unique_ptr<MariaDbServer>> MariaDbServer::Start() {
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  server->dir_ = MakeTempDir("aftersales-mariadb-");
  if (server->dir_.empty()) return absl::InternalError("cannot create a temp dir");
  server->socket_ = server->dir_ + "/mysqld.sock";
  const std::string log = server->dir_ + "/install.log";
  // Each server keeps its temporary tables in its own directory: in the shared /tmp, servers
  // bootstrapping side by side (ctest -j) have been seen to lose each other's files and fail.
  std::error_code made;
  std::filesystem::create_directory(server->dir_ + "/tmp", made);
  if (made) return absl::InternalError(absl::StrCat("cannot create ", server->dir_, "/tmp"));
  const std::string cmd =
      absl::StrCat(FindProgram("mariadb-install-db"), " --no-defaults --datadir=", server->dir_,
                   "/data --tmpdir=", server->dir_, "/tmp --auth-root-authentication-method=normal",
                   " --skip-test-db > ", log, " 2>&1");
  if (const int rc = std::system(cmd.c_str()); rc != 0) {
    // The temp dir goes with the server object: put the log in the error, not a path to it.
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return absl::InternalError(
        absl::StrCat("mariadb-install-db failed (status ", rc, "):\n", text.str()));
  }
  server->port_ = FreePort();
  if (absl::Status s = server->Launch(); !s.ok()) return s;
  return server;
}

absl::Status MariaDbServer::Launch() {
  absl::StatusOr<ChildProcess> p = ChildProcess::Start(
      {FindProgram("mariadbd"), "--no-defaults", absl::StrCat("--datadir=", dir_, "/data"),
       absl::StrCat("--tmpdir=", dir_, "/tmp"), absl::StrCat("--socket=", socket_),
       absl::StrCat("--port=", port_), "--bind-address=127.0.0.1", "--user=root",
       absl::StrCat("--pid-file=", dir_, "/mysqld.pid"), "--max-connections=500",
       "--innodb-buffer-pool-size=128M"},
      dir_ + "/server.log");
  if (!p.ok()) return p.status();
  process_.emplace(*std::move(p));
  if (!WaitForPort(port_, absl::Seconds(60))) {
    return absl::UnavailableError(absl::StrCat("MariaDB did not start; log:\n", process_->Log()));
  }
  return absl::OkStatus();
}

DatabaseOptions MariaDbServer::Options(const std::string& database) const {
  DatabaseOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.user = "root";
  options.database = database;
  options.create_database = true;
  options.pool_size = 8;
  options.acquire_timeout = absl::Seconds(10);
  return options;
}

absl::Status MariaDbServer::Stop() {
  if (!process_) return absl::OkStatus();
  absl::StatusOr<int> code = process_->Stop(SIGTERM, absl::Seconds(60));
  process_.reset();
  return code.status();
}

absl::Status MariaDbServer::Kill() {
  if (!process_) return absl::FailedPreconditionError("the server is not running");
  absl::StatusOr<int> code = process_->Stop(SIGKILL, absl::Seconds(30));
  process_.reset();
  return code.status();
}

absl::Status MariaDbServer::StartAgain() { return Launch(); }

absl::Status MariaDbServer::Freeze() {
  if (!process_ || kill(process_->pid(), SIGSTOP) != 0) {
    return absl::FailedPreconditionError("the server is not running");
  }
  // The signal lands when each thread next runs; wait until /proc says every one has stopped.
  const std::string tasks = absl::StrCat("/proc/", process_->pid(), "/task");
  for (int i = 0; i < 400; ++i) {
    bool all_stopped = true;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
      std::ifstream stat(task.path() / "stat");
      std::string line;
      std::getline(stat, line);
      const size_t paren = line.rfind(')');
      if (paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'T') {
        all_stopped = false;
        break;
      }
    }
    if (all_stopped && !ec) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(5));
  }
  kill(process_->pid(), SIGCONT);  // never leave the other tests a server half stopped
  return absl::DeadlineExceededError("the server did not stop within 2 s");
}

absl::Status MariaDbServer::Thaw() {
  if (!process_ || kill(process_->pid(), SIGCONT) != 0) {
    return absl::FailedPreconditionError("the server is not running");
  }
  return absl::OkStatus();
}

absl::Status MariaDbServer::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  return StartAgain();
}

MariaDbServer::~MariaDbServer() {
  Stop().IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace aftersales::testing
