#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>

#include "absl/strings/string_view.h"

namespace aftersales::gateway {

// Request counters for /metrics, in Prometheus text format:
// http_requests_total{method="GET",route="/v1/tickets/{ticket_id}",code="200"} 12
// Labels are registered at start-up; counting is lock-free.
class HttpMetrics {
 public:
  HttpMetrics();

  // Registers a route's labels before serving starts (not thread-safe); returns the id to count
  // under.
  int AddRoute(absl::string_view method, absl::string_view route);
  // Counts one answered request. route is an AddRoute id or Unmatched().
  void Count(int route, int http_status);
  // The id for requests that matched no route, per method (the label is "other" for uncommon
  // methods, so clients cannot grow the label set).
  int Unmatched(absl::string_view method) const;

  std::string Prometheus() const;

 private:
  // The statuses the gateway answers with; anything else is counted as "other".
  static constexpr std::array<int, 18> kStatuses = {200, 204, 400, 401, 403, 404, 405, 409, 413, 415,
                                                    429, 431, 499, 500, 501, 503, 504, 0};
  struct Series {
    std::string method;
    std::string route;
    std::array<std::atomic<uint64_t>, kStatuses.size()> counts{};
  };
  std::deque<Series> series_;
  int unmatched_first_ = 0;
};

}  // namespace aftersales::gateway
