#include "daemon/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueue, FirstInFirstOut) {
  BoundedQueue<int> queue(4);
  EXPECT_TRUE(queue.push(1));
  EXPECT_TRUE(queue.push(2));
  EXPECT_EQ(queue.size(), 2U);
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.pop_for(10ms), 2);
  EXPECT_EQ(queue.pop_for(10ms), std::nullopt);
}

TEST(BoundedQueue, FullQueueBlocksTheProducerInsteadOfDropping) {
  BoundedQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    queue.push(2);
    pushed = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed) << "push returned while the queue was full";
  EXPECT_EQ(queue.pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.pop(), 2);
}

TEST(BoundedQueue, CloseRefusesProducersAndLetsConsumersDrain) {
  BoundedQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1));
  std::thread blocked([&] { EXPECT_FALSE(queue.push(2)); });
  std::this_thread::sleep_for(20ms);
  queue.close();
  blocked.join();
  EXPECT_FALSE(queue.finished());
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.pop(), std::nullopt);
  EXPECT_TRUE(queue.finished());
}

}  // namespace
}  // namespace sluice::daemon
