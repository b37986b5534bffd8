#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/status.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

// A gauge's samples at scrape time: label text ("state=\"FAILED\"", or empty) and value.
using GaugeSamples = std::vector<std::pair<std::string, double>>;

// What a service tells Prometheus, under go-grpc-prometheus's names so that existing dashboards
// work: grpc_server_handled_total{grpc_type, grpc_service, grpc_method, grpc_code} and the
// grpc_server_handling_seconds histogram, fed by the server's interceptor; plus gauges the
// service registers (its pool, its queue, its outbox).
class ServerMetrics {
 public:
  // The process's one registry.
  static ServerMetrics& Get();

  // One finished call. method: "/aftersales.tickets.v1.TicketsService/GetTicket".
  void Handled(absl::string_view method, grpc::StatusCode code, absl::Duration took);
  // Read when scraped; fn runs on the admin server's thread and may query the database.
  void AddGauge(std::string name, std::string help, std::function<GaugeSamples()> fn);
  std::string Prometheus();

  static constexpr std::array<double, 11> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10};

 private:
  struct Method {
    std::string service;
    std::string name;
    std::array<std::atomic<uint64_t>, 17> handled{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // the last is +Inf
    std::atomic<uint64_t> micros_sum{0};
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<GaugeSamples()> fn;
  };
  Method& Find(absl::string_view method);

  std::mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_;
  std::vector<Gauge> gauges_;
};

class Database;
class BoundedExecutor;

// The gauges every service has: its connection pool and its call queue.
void AddPoolAndQueueGauges(Database& db, BoundedExecutor& executor);

// GET /metrics (ServerMetrics, Prometheus text) and GET /healthz on an admin address, apart from
// the gRPC port so that it never has to be exposed with it. A small blocking HTTP/1.1 server on
// one thread: Prometheus scrapes a few times a minute.
class AdminHttpServer {
 public:
  // UNAVAILABLE when the address cannot be bound. metrics: the /metrics text; the process's
  // ServerMetrics when not given.
  static absl::StatusOr<std::unique_ptr<AdminHttpServer>> Start(
      const std::string& listen, std::function<std::string()> metrics = nullptr);
  ~AdminHttpServer();
  int port() const { return port_; }

 private:
  AdminHttpServer() = default;
  void Serve();

  std::function<std::string()> metrics_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace aftersales
