#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales::gateway {

// A token bucket: `rate` requests a second on average, up to `burst` at once.
struct RateLimit {
  double rate = 10;
  double burst = 20;
};

// Token buckets by key (a principal, or a client IP for requests without valid credentials), in
// memory per gateway replica: N replicas allow up to N times the rate, which is the price of
// asking nothing of a shared store on every request. Buckets idle long enough to be full again
// are dropped, so the map holds only the keys seen lately.
class RateLimiter {
 public:
  // Takes a token from key's bucket. OK when there was one; otherwise how long until there is
  // (for Retry-After).
  absl::Duration Take(absl::string_view key, const RateLimit& limit, absl::Time now);
  size_t size();
  // Requests refused since start, for /metrics.
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void DropFullBuckets(absl::Time now);

  std::mutex mu_;
  std::atomic<uint64_t> refused_{0};
  absl::flat_hash_map<std::string, Bucket> buckets_;
  absl::Time last_sweep_ = absl::InfinitePast();
  // A bucket idle this long is full again (ParseRateLimit keeps burst / rate within it).
  static constexpr absl::Duration kIdle = absl::Minutes(10);
};

// Parses "rate/burst" ("20/40", "0.5/5"): rate at least 0.01 a second, burst 1 or more and
// refilled within ten minutes. False otherwise.
bool ParseRateLimit(absl::string_view text, RateLimit& out);

}  // namespace aftersales::gateway
