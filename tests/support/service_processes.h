#pragma once

// Other services as real processes for an integration test of one service's desk: started once
// for every case on the test's MariaDB, on 127.0.0.1, stopped by pid at the end. Each case uses
// its own orders, so they share the processes.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/mariadb_server.h"

namespace aftersales::testing {

class ServiceProcessesEnvironment : public ::testing::Environment {
 public:
  struct Process {
    std::string name;    // "tickets", for its log file
    std::string binary;  // path to the built program
    // Filled in SetUp with a channel to it.
    std::shared_ptr<grpc::Channel>* channel;
    // Added to the common flags (listen, database, identity key). "{port:NAME}" is replaced by
    // the port of the process NAME started before it.
    std::vector<std::string> extra_args;
  };

  // `server` is the MariaDbEnvironment's, set by the time SetUp runs.
  ServiceProcessesEnvironment(std::string log_prefix, MariaDbServer* const* server, std::vector<Process> processes)
      : log_prefix_(std::move(log_prefix)), server_(server), processes_(std::move(processes)) {}

  void SetUp() override;
  void TearDown() override;

 private:
  std::string log_prefix_;
  MariaDbServer* const* server_;
  std::vector<Process> processes_;
  std::optional<TestLogDir> logs_;
  std::vector<ChildProcess> running_;
};

}  // namespace aftersales::testing
