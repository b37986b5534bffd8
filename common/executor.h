#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aftersales {

// A fixed set of threads for blocking work (SQL), sized to the connection pool, with a bounded
// queue: when the queue is full, TrySubmit says no and the caller answers RESOURCE_EXHAUSTED
// instead of piling up work it cannot finish before the client's deadline.
class BoundedExecutor {
 public:
  BoundedExecutor(size_t threads, size_t max_queued);
  ~BoundedExecutor();  // Runs what is queued, then joins.

  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  bool TrySubmit(std::function<void()> task);
  // Tasks waiting for a thread, for /metrics.
  size_t queued();

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace aftersales
