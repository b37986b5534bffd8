#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gateway/backends.h"

namespace aftersales::gateway {

// Readiness of the backends, checked in the background so that /readyz only reads a cached
// answer. Every interval a thread asks each backend grpc.health.v1.Health/Check (all at once) and
// records which are SERVING; changes are logged.
class BackendHealth {
 public:
  BackendHealth(std::vector<Backend*> backends, absl::Duration interval);
  // Stops polling; waits for the checks in flight.
  ~BackendHealth();

  void Start();

  // Names of the backends that did not answer SERVING to the last check, all of them before the
  // first check completes. Empty when every backend is ready.
  std::vector<std::string> NotServing() const;

 private:
  void Poll();

  const std::vector<Backend*> backends_;
  const absl::Duration interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<bool> serving_;
  std::thread thread_;
};

}  // namespace aftersales::gateway
