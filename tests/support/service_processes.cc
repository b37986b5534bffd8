#include "tests/support/service_processes.h"

#include <signal.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/channel.h"
#include "tests/support/test_identity.h"

namespace aftersales::testing {

void ServiceProcessesEnvironment::SetUp() {
  logs_.emplace(log_prefix_);
  std::map<std::string, std::string> ports;
  for (const Process& process : processes_) {
    const int port = FreePort();
    std::vector<std::string> args = {process.binary, absl::StrCat("--listen=127.0.0.1:", port),
                                     absl::StrCat("--db_port=", (*server_)->port()), "--db_host=127.0.0.1",
                                     "--db_pool_size=4", absl::StrCat("--identity_key=", kTestIdentityKey)};
    for (const std::string& extra : process.extra_args) {
      std::string arg = extra;
      for (const auto& [name, started] : ports) arg = absl::StrReplaceAll(arg, {{absl::StrCat("{port:", name, "}"), started}});
      args.push_back(std::move(arg));
    }
    absl::StatusOr<ChildProcess> p =
        ChildProcess::Start(args, absl::StrCat(logs_->path(), "/", process.name, ".log"));
    ASSERT_TRUE(p.ok()) << p.status();
    running_.push_back(*std::move(p));
    ASSERT_TRUE(WaitForPort(port, absl::Seconds(30))) << running_.back().Log();
    ports[process.name] = absl::StrCat(port);
    *process.channel = MakeChannel(absl::StrCat("127.0.0.1:", port), {});
  }
}

void ServiceProcessesEnvironment::TearDown() {
  for (ChildProcess& p : running_) p.Stop(SIGTERM, absl::Seconds(20)).IgnoreError();
  running_.clear();
  // Before gtest tears itself down: the log folder asks it whether anything failed.
  logs_.reset();
}

}  // namespace aftersales::testing
