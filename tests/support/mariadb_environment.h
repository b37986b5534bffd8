#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/mariadb_server.h"

namespace aftersales::testing {

// One throwaway MariaDB for a whole test binary: started before its first test and stopped
// after its last, so the tests share the few seconds a server takes to bootstrap. Register it
// once per binary:
//   MariaDbServer* server = nullptr;
//   const auto* const kEnvironment =
//       ::testing::AddGlobalTestEnvironment(new MariaDbEnvironment(&server));
class MariaDbEnvironment : public ::testing::Environment {
 public:
  explicit MariaDbEnvironment(MariaDbServer** server) : server_(server) {}

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<MariaDbServer>> started = MariaDbServer::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    owned_ = *std::move(started);
    *server_ = owned_.get();
  }
  void TearDown() override {
    *server_ = nullptr;
    owned_.reset();
  }

 private:
  MariaDbServer** const server_;
  std::unique_ptr<MariaDbServer> owned_;
};

}  // namespace aftersales::testing
