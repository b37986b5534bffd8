#include "gateway/backend_health.h"

#include <algorithm>
#include <memory>

#include "common/log.h"

namespace aftersales::gateway {
namespace {

// Answers slower than this count as not ready; well under the poll interval.
constexpr absl::Duration kCheckTimeout = absl::Seconds(1);

// The answers of one round of checks, filled from gRPC threads.
struct Round {
  std::mutex mu;
  std::condition_variable done;
  size_t pending;
  std::vector<bool> serving;
};

}  // namespace

BackendHealth::BackendHealth(std::vector<Backend*> backends, absl::Duration interval)
    : backends_(std::move(backends)), interval_(interval), serving_(backends_.size(), false) {}

BackendHealth::~BackendHealth() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackendHealth::Start() {
  thread_ = std::thread([this] { Poll(); });
}

std::vector<std::string> BackendHealth::NotServing() const {
  std::vector<std::string> names;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < backends_.size(); ++i) {
    if (!serving_[i]) names.push_back(backends_[i]->name());
  }
  return names;
}

void BackendHealth::Poll() {
  std::vector<bool> last(backends_.size(), false);
  bool first = true;
  while (true) {
    auto round = std::make_shared<Round>();
    round->pending = backends_.size();
    round->serving.assign(backends_.size(), false);
    for (size_t i = 0; i < backends_.size(); ++i) {
      backends_[i]->CheckHealth(kCheckTimeout, [round, i](bool serving) {
        std::lock_guard<std::mutex> lock(round->mu);
        round->serving[i] = serving;
        if (--round->pending == 0) round->done.notify_all();
      });
    }
    {
      // The deadline ends every check; waiting for all keeps no callback running past shutdown.
      std::unique_lock<std::mutex> lock(round->mu);
      round->done.wait(lock, [&] { return round->pending == 0; });
    }
    for (size_t i = 0; i < backends_.size(); ++i) {
      if (!first && round->serving[i] == last[i]) continue;
      const LogFields fields = {{"backend", backends_[i]->name()},
                                {"target", backends_[i]->target()}};
      if (round->serving[i]) {
        LogInfo("backend ready", fields);
      } else {
        LogWarning("backend not ready: health check did not answer SERVING", fields);
      }
    }
    last = round->serving;
    first = false;

    std::unique_lock<std::mutex> lock(mu_);
    serving_ = round->serving;
    if (wake_.wait_for(lock, absl::ToChronoNanoseconds(interval_), [&] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace aftersales::gateway
