#include "gateway/http_metrics.h"

#include "absl/strings/str_cat.h"

namespace aftersales::gateway {
namespace {

constexpr std::array<absl::string_view, 6> kUnmatchedMethods = {"GET",   "POST",   "PUT",
                                                                "PATCH", "DELETE", "other"};

// Escapes a Prometheus label value.
std::string LabelValue(absl::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

HttpMetrics::HttpMetrics() {
  unmatched_first_ = static_cast<int>(series_.size());
  for (const absl::string_view method : kUnmatchedMethods) AddRoute(method, "unmatched");
}

int HttpMetrics::AddRoute(absl::string_view method, absl::string_view route) {
  Series& s = series_.emplace_back();
  s.method = std::string(method);
  s.route = std::string(route);
  return static_cast<int>(series_.size()) - 1;
}

int HttpMetrics::Unmatched(absl::string_view method) const {
  for (size_t i = 0; i + 1 < kUnmatchedMethods.size(); ++i) {
    if (kUnmatchedMethods[i] == method) return unmatched_first_ + static_cast<int>(i);
  }
  return unmatched_first_ + static_cast<int>(kUnmatchedMethods.size()) - 1;
}

void HttpMetrics::Count(int route, int http_status) {
  if (route < 0 || route >= static_cast<int>(series_.size())) return;
  size_t slot = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == http_status) {
      slot = i;
      break;
    }
  }
  series_[route].counts[slot].fetch_add(1, std::memory_order_relaxed);
}

std::string HttpMetrics::Prometheus() const {
  std::string out =
      "# HELP http_requests_total HTTP requests answered, by method, route template and status.\n"
      "# TYPE http_requests_total counter\n";
  for (const Series& s : series_) {
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      const uint64_t n = s.counts[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      absl::StrAppend(&out, "http_requests_total{method=\"", LabelValue(s.method), "\",route=\"",
                      LabelValue(s.route), "\",code=\"",
                      kStatuses[i] == 0 ? "other" : absl::StrCat(kStatuses[i]), "\"} ", n, "\n");
    }
  }
  return out;
}

}  // namespace aftersales::gateway
