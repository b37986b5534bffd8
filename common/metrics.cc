#include "common/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/executor.h"
#include "common/log.h"
#include "common/mysql.h"

namespace aftersales {
namespace {

// gRPC's code names, as go-grpc-prometheus writes them.
constexpr const char* kCodeNames[] = {
    "OK",        "Canceled",          "Unknown",          "InvalidArgument", "DeadlineExceeded",
    "NotFound",  "AlreadyExists",     "PermissionDenied", "ResourceExhausted",
    "FailedPrecondition", "Aborted",  "OutOfRange",       "Unimplemented",   "Internal",
    "Unavailable", "DataLoss",        "Unauthenticated"};

std::string Number(double v) {
  std::string s = absl::StrCat(v);
  return s;
}

}  // namespace

ServerMetrics& ServerMetrics::Get() {
  static ServerMetrics* metrics = new ServerMetrics;
  return *metrics;
}

ServerMetrics::Method& ServerMetrics::Find(absl::string_view method) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = methods_.find(method);
  if (it != methods_.end()) return *it->second;
  auto m = std::make_unique<Method>();
  absl::string_view path = method;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  m->service = std::string(path.substr(0, slash));
  m->name = slash == absl::string_view::npos ? "" : std::string(path.substr(slash + 1));
  Method& ref = *m;
  methods_.emplace(std::string(method), std::move(m));
  return ref;
}

void ServerMetrics::Handled(absl::string_view method, grpc::StatusCode code, absl::Duration took) {
  Method& m = Find(method);
  const int c = static_cast<int>(code);
  m.handled[c >= 0 && c < 17 ? c : 2].fetch_add(1, std::memory_order_relaxed);
  const double seconds = absl::ToDoubleSeconds(took);
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  m.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  m.micros_sum.fetch_add(static_cast<uint64_t>(absl::ToInt64Microseconds(took)),
                         std::memory_order_relaxed);
}

void ServerMetrics::AddGauge(std::string name, std::string help, std::function<GaugeSamples()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(fn)});
}

std::string ServerMetrics::Prometheus() {
  std::vector<const Method*> methods;
  std::vector<Gauge> gauges;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [_, m] : methods_) methods.push_back(m.get());
    gauges = gauges_;
  }
  std::string out =
      "# HELP grpc_server_handled_total Total number of RPCs completed on the server, regardless "
      "of success or failure.\n# TYPE grpc_server_handled_total counter\n";
  for (const Method* m : methods) {
    const std::string labels = absl::StrCat("grpc_type=\"unary\",grpc_service=\"", m->service,
                                            "\",grpc_method=\"", m->name, "\"");
    for (size_t c = 0; c < m->handled.size(); ++c) {
      const uint64_t n = m->handled[c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      absl::StrAppend(&out, "grpc_server_handled_total{", labels, ",grpc_code=\"", kCodeNames[c],
                      "\"} ", n, "\n");
    }
  }
  absl::StrAppend(&out,
                  "# HELP grpc_server_handling_seconds Histogram of response latency (seconds) of "
                  "gRPC that had been application-level handled by the server.\n"
                  "# TYPE grpc_server_handling_seconds histogram\n");
  for (const Method* m : methods) {
    const std::string labels = absl::StrCat("grpc_type=\"unary\",grpc_service=\"", m->service,
                                            "\",grpc_method=\"", m->name, "\"");
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += m->buckets[b].load(std::memory_order_relaxed);
      absl::StrAppend(&out, "grpc_server_handling_seconds_bucket{", labels, ",le=\"",
                      b < kBuckets.size() ? Number(kBuckets[b]) : "+Inf", "\"} ", cumulative,
                      "\n");
    }
    absl::StrAppend(&out, "grpc_server_handling_seconds_sum{", labels, "} ",
                    Number(static_cast<double>(m->micros_sum.load()) / 1e6), "\n",
                    "grpc_server_handling_seconds_count{", labels, "} ", cumulative, "\n");
  }
  for (const Gauge& g : gauges) {
    absl::StrAppend(&out, "# HELP ", g.name, " ", g.help, "\n# TYPE ", g.name, " gauge\n");
    for (const auto& [labels, value] : g.fn()) {
      absl::StrAppend(&out, g.name, labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ",
                      Number(value), "\n");
    }
  }
  return out;
}

void AddPoolAndQueueGauges(Database& db, BoundedExecutor& executor) {
  ServerMetrics& m = ServerMetrics::Get();
  m.AddGauge("aftersales_db_pool_connections", "Database connections by state; size is the cap",
             [&db] {
               const Database::PoolStats s = db.Stats();
               return GaugeSamples{{"state=\"size\"", s.size},
                                   {"state=\"open\"", s.open},
                                   {"state=\"idle\"", s.idle},
                                   {"state=\"in_use\"", s.open - s.idle}};
             });
  m.AddGauge("aftersales_db_pool_waits", "Calls since start that waited for a free connection "
             "(outcome=timeout: waited in vain and answered 429)",
             [&db] {
               const Database::PoolStats s = db.Stats();
               return GaugeSamples{{"outcome=\"all\"", static_cast<double>(s.waits)},
                                   {"outcome=\"timeout\"", static_cast<double>(s.wait_timeouts)}};
             });
  m.AddGauge("aftersales_executor_queued_calls", "Calls waiting for a worker thread",
             [&executor] { return GaugeSamples{{"", static_cast<double>(executor.queued())}}; });
}

absl::StatusOr<std::unique_ptr<AdminHttpServer>> AdminHttpServer::Start(
    const std::string& listen, std::function<std::string()> metrics) {
  const size_t colon = listen.rfind(':');
  int port = 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      inet_pton(AF_INET, listen.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("admin_listen '", listen, "': an IPv4 host:port like 0.0.0.0:9090"));
  }
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::unique_ptr<AdminHttpServer> server(new AdminHttpServer);
  server->metrics_ = metrics ? std::move(metrics) : [] { return ServerMetrics::Get().Prometheus(); };
  server->fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(server->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(server->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(server->fd_, 16) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ", strerror(errno)));
  }
  socklen_t len = sizeof(addr);
  getsockname(server->fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  server->port_ = ntohs(addr.sin_port);
  server->thread_ = std::thread([s = server.get()] { s->Serve(); });
  LogInfo("admin HTTP (/metrics) serving", {{"listen", listen}, {"port", absl::StrCat(server->port_)}});
  return server;
}

AdminHttpServer::~AdminHttpServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

void AdminHttpServer::Serve() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // A scraper sends its request at once; one that dawdles is dropped.
    timeval timeout{2, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    char buffer[4096];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
      const ssize_t n = recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<size_t>(n));
    }
    const std::string line = request.substr(0, request.find("\r\n"));
    std::string status = "404 Not Found", type = "text/plain", body = "not found\n";
    if (line.rfind("GET /metrics ", 0) == 0 || line.rfind("GET /metrics?", 0) == 0) {
      status = "200 OK";
      type = "text/plain; version=0.0.4";
      body = metrics_();
    } else if (line.rfind("GET /healthz ", 0) == 0) {
      status = "200 OK";
      body = "ok\n";
    }
    const std::string response =
        absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                     "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
    size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    close(client);
  }
}

}  // namespace aftersales
