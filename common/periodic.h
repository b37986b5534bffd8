#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"

namespace aftersales {

// Runs work on its own thread every interval until destroyed; destruction waits for a run in
// progress. work returns true to run again at once (it had a full batch), false to wait.
class PeriodicTask {
 public:
  PeriodicTask(std::string name, absl::Duration interval, std::function<bool()> work);
  ~PeriodicTask();

  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aftersales
