#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace aftersales {

struct WriteBatcherOptions {
  size_t max_batch = 32;
  size_t max_queued = 4096;
  size_t writers = 1;
};

// Group commit: items that arrive while earlier ones are being written wait, and go together
// in the next batch, so many writes share one transaction and one commit. A few writer threads
// (`writers`) each take up to max_batch queued items at a time and hand them to `write`,
// which must answer every item of its batch. No timer: an item that finds a writer idle is taken
// at once, so a lone request waits for nothing; batches form only while every writer is busy,
// and grow with the load. The queue is bounded: when it is full, TrySubmit says no and the
// caller answers RESOURCE_EXHAUSTED.
//
// The writers are threads of their own, like a BoundedExecutor's, and block on SQL: count
// writers against the connection pool.
template <typename Item>
class WriteBatcher {
 public:
  using Write = std::function<void(std::vector<Item>& batch)>;

  WriteBatcher(WriteBatcherOptions options, Write write)
      : options_(options), write_(std::move(write)) {
    options_.max_batch = std::max<size_t>(options_.max_batch, 1);
    options_.writers = std::max<size_t>(options_.writers, 1);
    for (size_t i = 0; i < options_.writers; ++i) writers_.emplace_back([this] { Work(); });
  }
  // Writes what is queued, then joins.
  ~WriteBatcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    queued_.notify_all();
    for (std::thread& t : writers_) t.join();
  }

  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  // False when the queue is full or the batcher is stopping; the item is not taken then.
  bool TrySubmit(Item&& item) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || queue_.size() >= options_.max_queued) return false;
      queue_.push_back(std::move(item));
    }
    queued_.notify_one();
    return true;
  }

 private:
  void Work() {
    std::vector<Item> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        const size_t n = std::min(queue_.size(), options_.max_batch);
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + n));
        queue_.erase(queue_.begin(), queue_.begin() + n);
      }
      write_(batch);
      batch.clear();
    }
  }

  WriteBatcherOptions options_;
  const Write write_;
  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace aftersales
