#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

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

// One step of a service's background round: how many items it handled, out of at most `batch`
// (0: a step with no batch, such as a purge).
struct BackgroundStep {
  const char* what;  // for the log: "outbox delivery"
  std::function<absl::StatusOr<int>()> run;
  int batch = 0;
};

// Runs the steps in order and returns true (run the round again at once) when one of them
// filled its batch: there is more waiting, and the later steps wait for the next round. A failed
// step is logged and the round goes on. For a PeriodicTask's work.
bool RunBackgroundSteps(absl::Span<const BackgroundStep> steps);

}  // namespace aftersales
