#include "gateway/rate_limiter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace aftersales::gateway {

absl::Duration RateLimiter::Take(absl::string_view key, const RateLimit& limit, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_sweep_ > kIdle) DropFullBuckets(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{limit.burst, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
    b.tokens = std::min(limit.burst, b.tokens + elapsed * limit.rate);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::ZeroDuration();
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  return absl::Seconds((1 - b.tokens) / limit.rate);
}

size_t RateLimiter::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

void RateLimiter::DropFullBuckets(absl::Time now) {
  last_sweep_ = now;
  absl::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.updated > kIdle; });
}

bool ParseRateLimit(absl::string_view text, RateLimit& out) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  RateLimit limit;
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &limit.rate) ||
      !absl::SimpleAtod(parts[1], &limit.burst) || limit.rate < 0.01 || limit.burst < 1 ||
      limit.burst / limit.rate > 600 || limit.rate > 1e6) {
    return false;
  }
  out = limit;
  return true;
}

}  // namespace aftersales::gateway
