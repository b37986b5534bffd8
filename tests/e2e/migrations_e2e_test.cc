// How a rollout migrates: a service started with --migrations=wait on a database its migration
// Job has not run on yet reports NOT_SERVING (and changes nothing); the Job (the same binary with
// --migrate_only, no identity key) applies the schema and exits 0; the waiting replica turns
// SERVING without a restart.
#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <future>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/migrations.h"
#include "common/mysql.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_environment.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/test_identity.h"

namespace aftersales {
namespace {

using testing::MariaDbServer;

MariaDbServer* server = nullptr;
const auto* const kDatabase = ::testing::AddGlobalTestEnvironment(new testing::MariaDbEnvironment(&server));

// grpc.health.v1.Health/Check spelled as bytes (Debian ships no health.proto): an empty
// request; SERVING is field 1, varint 1.
bool Serving(int port) {
  grpc::GenericStub stub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  if (!done.get_future().get().ok()) return false;
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!response.Dump(&slices).ok()) return false;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes == std::string("\x08\x01", 2);
}

bool ServingWithin(int port, absl::Duration limit) {
  const absl::Time until = absl::Now() + limit;
  while (absl::Now() < until) {
    if (Serving(port)) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return false;
}

TEST(Migrations, AReplicaWaitsForTheJobAndTurnsReadyWithoutARestart) {
  testing::TestLogDir logs("aftersales-migrations-");
  const std::string db_name = "aftersales_claims_rollout";
  const int port = testing::FreePort();
  const std::vector<std::string> db_args = {absl::StrCat("--db_port=", server->port()), "--db_host=127.0.0.1",
                                            absl::StrCat("--db_name=", db_name)};
  std::vector<std::string> replica_args = {CLAIMS_BINARY, absl::StrCat("--listen=127.0.0.1:", port),
                                           "--migrations=wait",
                                           absl::StrCat("--identity_key=", testing::kTestIdentityKey)};
  replica_args.insert(replica_args.end(), db_args.begin(), db_args.end());
  absl::StatusOr<testing::ChildProcess> replica =
      testing::ChildProcess::Start(replica_args, absl::StrCat(logs.path(), "/replica.log"));
  ASSERT_TRUE(replica.ok()) << replica.status();
  ASSERT_TRUE(testing::WaitForPort(port, absl::Seconds(30))) << replica->Log();
  // Up, but not ready: the schema is not there, and the replica made none of it.
  absl::SleepFor(absl::Seconds(1));
  EXPECT_FALSE(Serving(port)) << replica->Log();
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Connect(server->Options(db_name));
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<int> before = CurrentSchemaVersion(**db);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, 0);

  // The Job: the same binary, --migrate_only, no identity key; it exits 0.
  std::vector<std::string> job_args = {CLAIMS_BINARY, "--migrate_only=true"};
  job_args.insert(job_args.end(), db_args.begin(), db_args.end());
  absl::StatusOr<testing::ChildProcess> job =
      testing::ChildProcess::Start(job_args, absl::StrCat(logs.path(), "/job.log"));
  ASSERT_TRUE(job.ok()) << job.status();
  absl::StatusOr<int> exit_code = job->Wait(absl::Seconds(60));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status() << job->Log();
  EXPECT_EQ(*exit_code, 0) << job->Log();
  absl::StatusOr<int> after = CurrentSchemaVersion(**db);
  ASSERT_TRUE(after.ok());
  EXPECT_GE(*after, 1);

  // The replica asks again on its readiness round (every 5 s).
  EXPECT_TRUE(ServingWithin(port, absl::Seconds(15))) << replica->Log();
  EXPECT_TRUE(replica->Stop(SIGTERM, absl::Seconds(20)).ok());
}

}  // namespace
}  // namespace aftersales
