#include "common/periodic.h"

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

}  // namespace aftersales
