#include "tests/support/running_system.h"

#include <signal.h>
#include <stdlib.h>

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/test_identity.h"

namespace aftersales::testing {

absl::StatusOr<std::unique_ptr<RunningSystem>> RunningSystem::Start(
    const std::vector<Service>& services, const std::string& gateway_binary,
    const std::vector<std::string>& gateway_auth) {
  std::unique_ptr<RunningSystem> system(new RunningSystem());
  absl::StatusOr<std::unique_ptr<MariaDbServer>> db = MariaDbServer::Start();
  if (!db.ok()) return db.status();
  system->db_ = *std::move(db);
  system->logs_.emplace("aftersales-system-");
  system->http_port_ = FreePort();
  std::string backends;
  for (const Service& s : services) {
    const int port = FreePort();
    system->services_[s.name] = s;
    system->ports_[s.name] = port;
    // The child processes inherit it, as under tools/dev.
    setenv(absl::StrCat("AFTERSALES_", absl::AsciiStrToUpper(s.name), "_TARGET").c_str(),
           absl::StrCat("127.0.0.1:", port).c_str(), 1);
    absl::StrAppend(&backends, backends.empty() ? "" : ",", s.name, "=127.0.0.1:", port);
  }
  // Every process signs and checks callers' identities with one key, as from a Secret.
  setenv("AFTERSALES_IDENTITY_KEY", kTestIdentityKey, 1);
  for (const Service& s : services) {
    if (absl::Status st = system->StartService(s.name); !st.ok()) return st;
  }
  std::vector<std::string> gateway_argv = {gateway_binary,
                                           absl::StrCat("--listen=127.0.0.1:", system->http_port_),
                                           absl::StrCat("--backends=", backends),
                                           // The load tests' clients are one principal.
                                           "--rate_limit_person=100000/100000",
                                           "--rate_limit_service=100000/100000",
                                           "--rate_limit_unauthenticated=100000/100000"};
  if (gateway_auth.empty()) {
    gateway_argv.push_back("--auth_mode=development");
    gateway_argv.push_back(absl::StrCat("--dev_jwt_secret=", kTestDevJwtSecret));
  } else {
    gateway_argv.insert(gateway_argv.end(), gateway_auth.begin(), gateway_auth.end());
  }
  absl::StatusOr<ChildProcess> gateway = ChildProcess::Start(gateway_argv,
      system->logs_->path() + "/gateway.log");
  if (!gateway.ok()) return gateway.status();
  system->gateway_.emplace(*std::move(gateway));
  if (absl::Status st = system->WaitReady(absl::Seconds(30)); !st.ok()) return st;
  return system;
}

RunningSystem::~RunningSystem() {
  if (gateway_) gateway_->Stop(SIGTERM, absl::Seconds(10)).IgnoreError();
  for (auto& [name, process] : processes_) {
    if (process) process->Stop(SIGTERM, absl::Seconds(20)).IgnoreError();
  }
}

absl::StatusOr<std::unique_ptr<Database>> RunningSystem::OpenDatabase(const std::string& name) {
  DatabaseOptions options = db_->Options(name);
  options.create_database = false;
  options.pool_size = 2;
  return Database::Connect(options);
}

absl::StatusOr<ChildProcess> RunningSystem::Launch(const std::string& name, int port,
                                                   const std::string& log_name) {
  const Service& s = services_.at(name);
  std::vector<std::string> argv = {s.binary, absl::StrCat("--listen=127.0.0.1:", port),
                                   absl::StrCat("--db_port=", db_->port()), "--db_host=127.0.0.1",
                                   "--db_pool_size=8", "--drain_timeout=15s"};
  argv.insert(argv.end(), s.extra_args.begin(), s.extra_args.end());
  absl::StatusOr<ChildProcess> p = ChildProcess::Start(argv, absl::StrCat(logs_->path(), "/", log_name, ".log"));
  if (!p.ok()) return p.status();
  if (!WaitForPort(port, absl::Seconds(30))) {
    return absl::UnavailableError(absl::StrCat(name, " did not listen:\n", p->Log()));
  }
  return p;
}

absl::Status RunningSystem::StartService(const std::string& name) {
  absl::StatusOr<ChildProcess> p = Launch(name, ports_.at(name), name);
  if (!p.ok()) return p.status();
  processes_[name].emplace(*std::move(p));
  return absl::OkStatus();
}

absl::StatusOr<ChildProcess> RunningSystem::StartExtraReplica(const std::string& name) {
  return Launch(name, FreePort(), absl::StrCat(name, "-replica-", ++extra_replicas_));
}

absl::StatusOr<int> RunningSystem::StopService(const std::string& name, int signal) {
  auto& process = processes_.at(name);
  if (!process) return absl::FailedPreconditionError(absl::StrCat(name, " is not running"));
  return process->Stop(signal, absl::Seconds(30));
}

std::string RunningSystem::Log(const std::string& name) const {
  if (name == "gateway") return gateway_ ? gateway_->Log() : "";
  auto it = processes_.find(name);
  return it != processes_.end() && it->second ? it->second->Log() : "";
}

absl::Status RunningSystem::WaitReady(absl::Duration timeout) {
  HttpClient client(http_port_, absl::Seconds(2));
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const HttpResult ready = client.Get("/readyz");
    if (ready.status == 200 &&
        ready.body.find("\"backends_not_serving\":[]") != std::string::npos) {
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::UnavailableError(absl::StrCat("the gateway did not become ready:\n", Log("gateway")));
}

}  // namespace aftersales::testing
