#include "common/periodic.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace aftersales {

PeriodicTask::PeriodicTask(std::string name, absl::Duration interval, std::function<bool()> work) {
  thread_ = std::thread([this, interval, work = std::move(work), name = std::move(name)] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      const bool more = work();
      lock.lock();
      if (more) continue;
      cv_.wait_for(lock, absl::ToChronoMilliseconds(interval), [this] { return stopping_; });
    }
  });
}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool RunBackgroundSteps(absl::Span<const BackgroundStep> steps) {
  for (const BackgroundStep& step : steps) {
    absl::StatusOr<int> handled = step.run();
    if (!handled.ok()) {
      LogWarning(absl::StrCat(step.what, " failed"), {{"error", std::string(handled.status().message())}});
      continue;
    }
    if (step.batch > 0 && *handled >= step.batch) return true;
  }
  return false;
}

}  // namespace aftersales
