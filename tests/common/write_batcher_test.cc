#include "common/write_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace aftersales {
namespace {

using std::chrono::milliseconds;

TEST(WriteBatcher, ALoneItemIsWrittenAtOnce) {
  std::promise<size_t> written;
  WriteBatcher<int> batcher({.max_batch = 32, .max_queued = 16, .writers = 1},
                            [&](std::vector<int>& batch) { written.set_value(batch.size()); });
  ASSERT_TRUE(batcher.TrySubmit(7));
  std::future<size_t> size = written.get_future();
  // No timer waits for company: the idle writer takes the item as it comes.
  ASSERT_EQ(size.wait_for(milliseconds(1000)), std::future_status::ready);
  EXPECT_EQ(size.get(), 1u);
}

TEST(WriteBatcher, ItemsArrivingWhileWritersAreBusyGoTogetherUpToTheBatchSize) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> took_first;
  std::atomic<bool> first{true};
  std::mutex mu;
  std::vector<std::vector<int>> batches;
  WriteBatcher<int> batcher({.max_batch = 4, .max_queued = 100, .writers = 1},
                            [&](std::vector<int>& batch) {
                              if (first.exchange(false)) took_first.set_value();
                              released.wait();
                              std::lock_guard<std::mutex> lock(mu);
                              batches.push_back(batch);
                            });
  ASSERT_TRUE(batcher.TrySubmit(0));
  // The writer holds item 0 and blocks on it; the next ten queue behind it.
  took_first.get_future().wait();
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(batcher.TrySubmit(int{i}));
  release.set_value();
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (batches.size() == 4) break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(mu);
  const std::vector<std::vector<int>> want = {{0}, {1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10}};
  EXPECT_EQ(batches, want);
}

TEST(WriteBatcher, AFullQueueRefusesAndTheDestructorWritesWhatIsQueued) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> took_first;
  std::atomic<bool> first{true};
  std::atomic<int> written{0};
  {
    WriteBatcher<int> batcher({.max_batch = 2, .max_queued = 3, .writers = 1},
                              [&](std::vector<int>& batch) {
                                if (first.exchange(false)) took_first.set_value();
                                released.wait();
                                written += static_cast<int>(batch.size());
                              });
    ASSERT_TRUE(batcher.TrySubmit(0));
    took_first.get_future().wait();  // the writer holds item 0
    EXPECT_TRUE(batcher.TrySubmit(1));
    EXPECT_TRUE(batcher.TrySubmit(2));
    EXPECT_TRUE(batcher.TrySubmit(3));
    EXPECT_FALSE(batcher.TrySubmit(4)) << "three are queued: the queue is full";
    release.set_value();
  }
  EXPECT_EQ(written.load(), 4);
}

TEST(WriteBatcher, ManyProducersEachItemWrittenExactlyOnce) {
  std::mutex mu;
  std::multiset<int> seen;
  size_t largest = 0;
  {
    WriteBatcher<int> batcher({.max_batch = 8, .max_queued = 10000, .writers = 2},
                              [&](std::vector<int>& batch) {
                                std::lock_guard<std::mutex> lock(mu);
                                largest = std::max(largest, batch.size());
                                seen.insert(batch.begin(), batch.end());
                              });
    std::vector<std::thread> producers;
    for (int p = 0; p < 8; ++p) {
      producers.emplace_back([&, p] {
        for (int i = 0; i < 500; ++i) EXPECT_TRUE(batcher.TrySubmit(p * 1000 + i));
      });
    }
    for (auto& t : producers) t.join();
  }
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 4000u);
  EXPECT_LE(largest, 8u);
}

}  // namespace
}  // namespace aftersales
