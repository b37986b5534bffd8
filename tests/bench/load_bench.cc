// Load generator for the platform benchmark (tests/bench/run drives it):
//   load_bench db-insert  --port=P --connections=16 --seconds=10
//       single-row INSERTs, each its own commit, on raw Connector/C++ connections: the
//       database's own write rate at that concurrency, the ceiling for POST /v1/tickets.
//   load_bench grpc-get   --target=127.0.0.1:50051 --ticket=ID --connections=16 --seconds=10
//       GetTicket straight over gRPC with the same concurrency: the ceiling for the gateway's
//       GET /v1/tickets/{id}.
//   load_bench grpc-quote --target=127.0.0.1:50052 --body=FILE --connections=16 --seconds=10
//       QuoteReturn straight over gRPC with the ReturnCase JSON in FILE: the ceiling for the
//       gateway's POST /v1/returns:quote.
// Prints one line: "<mode> requests=N seconds=S rate=R/s p50_ms=X p99_ms=Y errors=E".
#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <mysql_driver.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "aftersales/returns/v1/returns.grpc.pb.h"
#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "common/identity_token.h"

namespace {

struct Args {
  std::string mode;
  std::map<std::string, std::string> flags;
  std::string Get(const std::string& name, const std::string& fallback) const {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }
  int Int(const std::string& name, int fallback) const {
    int v = fallback;
    return absl::SimpleAtoi(Get(name, ""), &v) ? v : fallback;
  }
};

// Runs `one` (returns true on success) from `threads` threads for `seconds`, then reports.
template <typename MakeWorker>
int Run(const std::string& mode, int threads, int seconds, MakeWorker make_worker) {
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<long> errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto one = make_worker(t);
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time begin = absl::Now();
        if (one()) {
          latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
        } else {
          ++errors;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("%s requests=%zu seconds=%.2f rate=%.1f/s p50_ms=%.2f p99_ms=%.2f errors=%ld\n",
              mode.c_str(), all.size(), elapsed, all.size() / elapsed, pct(0.50), pct(0.99),
              errors.load());
  return errors.load() > static_cast<long>(all.size() / 100) ? 1 : 0;
}

int DbInsert(const Args& args) {
  sql::Driver* driver = sql::mysql::get_mysql_driver_instance();
  auto connect = [&]() {
    sql::ConnectOptionsMap props;
    props["hostName"] = absl::StrCat("tcp://127.0.0.1:", args.Get("port", "3306"));
    props["userName"] = args.Get("user", "root");
    props["password"] = args.Get("password", "");
    props["OPT_CHARSET_NAME"] = std::string("utf8mb4");
    return std::unique_ptr<sql::Connection>(driver->connect(props));
  };
  {
    auto c = connect();
    std::unique_ptr<sql::Statement> st(c->createStatement());
    st->execute("CREATE DATABASE IF NOT EXISTS aftersales_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    st->execute("DROP TABLE IF EXISTS aftersales_bench.rows_inserted");
    // About the width of a ticket row; ids from the client as the service makes them.
    st->execute(
        "CREATE TABLE aftersales_bench.rows_inserted (id VARCHAR(64) CHARACTER SET ascii PRIMARY KEY, "
        "store_id VARCHAR(128) NOT NULL, subject VARCHAR(1000) NOT NULL, created_at DATETIME(6) NOT NULL) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
  }
  std::mutex connect_mu;  // Connector/C++'s driver is not safe to connect from many threads at once
  return Run("db-insert", args.Int("connections", 16), args.Int("seconds", 10), [&](int thread) {
    std::shared_ptr<sql::Connection> c;
    {
      std::lock_guard<std::mutex> lock(connect_mu);
      c = connect();
    }
    c->setSchema("aftersales_bench");
    c->setAutoCommit(true);  // each insert is its own commit
    std::shared_ptr<sql::PreparedStatement> ps(c->prepareStatement(
        "INSERT INTO rows_inserted (id, store_id, subject, created_at) VALUES (?, 'store-1', "
        "'Where is my parcel?', UTC_TIMESTAMP(6))"));
    auto n = std::make_shared<long>(0);
    return [c, ps, n, thread]() {
      try {
        ps->setString(1, absl::StrCat("row-", thread, "-", (*n)++));
        ps->executeUpdate();
        return true;
      } catch (const sql::SQLException&) {
        return false;
      }
    };
  });
}

// A signed admin identity under the key the benchmark's services share (lib.sh exports it),
// made again each minute: a token lives five.
std::string BenchIdentity() {
  static std::mutex mu;
  static std::string token;
  static absl::Time made = absl::InfinitePast();
  std::lock_guard<std::mutex> lock(mu);
  if (absl::Now() - made > absl::Minutes(1)) {
    const char* key = std::getenv("AFTERSALES_IDENTITY_KEY");
    absl::StatusOr<aftersales::IdentitySigner> signer =
        aftersales::IdentitySigner::Create(key == nullptr ? "" : key, "bench");
    if (!signer.ok()) {
      std::fprintf(stderr, "AFTERSALES_IDENTITY_KEY: %s\n", std::string(signer.status().message()).c_str());
      std::exit(2);
    }
    aftersales::Caller bench;
    bench.principal = "bench";
    bench.role = aftersales::Role::kAdmin;
    bench.all_stores = true;
    made = absl::Now();
    token = signer->Sign(bench, made);
  }
  return token;
}

int GrpcGet(const Args& args) {
  namespace v1 = aftersales::tickets::v1;
  const std::string target = args.Get("target", "127.0.0.1:50051");
  const std::string ticket = args.Get("ticket", "");
  const int connections = args.Int("connections", 16);
  // One channel per worker, like wrk's one connection per worker: the same shape of load.
  return Run("grpc-get", connections, args.Int("seconds", 10), [&](int thread) {
    grpc::ChannelArguments channel_args;
    channel_args.SetInt("aftersales.bench.channel", thread);  // distinct channels, not shared
    auto stub = std::shared_ptr<v1::TicketsService::Stub>(v1::TicketsService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), channel_args)));
    return [stub, ticket]() {
      grpc::ClientContext ctx;
      ctx.AddMetadata(aftersales::kIdentityHeader, BenchIdentity());
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::GetTicketRequest req;
      req.set_ticket_id(ticket);
      v1::GetTicketResponse resp;
      return stub->GetTicket(&ctx, req, &resp).ok();
    };
  });
}

int GrpcQuote(const Args& args) {
  namespace v1 = aftersales::returns::v1;
  std::string json;
  if (FILE* f = std::fopen(args.Get("body", "").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) json.append(buf, n);
    std::fclose(f);
  }
  v1::QuoteReturnRequest request;
  if (!google::protobuf::util::JsonStringToMessage(json, request.mutable_return_case()).ok()) {
    std::fprintf(stderr, "--body must name a file holding a ReturnCase as JSON\n");
    return 2;
  }
  const std::string target = args.Get("target", "127.0.0.1:50052");
  return Run("grpc-quote", args.Int("connections", 16), args.Int("seconds", 10), [&](int thread) {
    grpc::ChannelArguments channel_args;
    channel_args.SetInt("aftersales.bench.channel", thread);
    auto stub = std::shared_ptr<v1::ReturnsService::Stub>(v1::ReturnsService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), channel_args)));
    return [stub, request]() {
      grpc::ClientContext ctx;
      ctx.AddMetadata(aftersales::kIdentityHeader, BenchIdentity());
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::QuoteReturnResponse resp;
      return stub->QuoteReturn(&ctx, request, &resp).ok() && resp.decision().eligible();
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2) {
    std::fprintf(stderr, "usage: load_bench db-insert|grpc-get [--name=value ...]\n");
    return 2;
  }
  args.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "bad argument %s\n", a.c_str());
      return 2;
    }
    args.flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
  }
  if (args.mode == "db-insert") return DbInsert(args);
  if (args.mode == "grpc-get") return GrpcGet(args);
  if (args.mode == "grpc-quote") return GrpcQuote(args);
  std::fprintf(stderr, "unknown mode %s\n", args.mode.c_str());
  return 2;
}
