#include "pipeline/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueue, FirstInFirstOut) {
  BoundedQueue<int> queue(4);
  EXPECT_TRUE(queue.push(1));
  EXPECT_TRUE(queue.push(2));
  EXPECT_EQ(queue.size(), 2U);
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.pop(), 2);
}

TEST(BoundedQueue, PopSomeTakesARunInOrderAndWaitsOnlyForTheFirst) {
  BoundedQueue<int> queue(8);
  for (int n = 1; n <= 5; ++n) ASSERT_TRUE(queue.push(n));
  std::vector<int> taken{0};
  EXPECT_EQ(queue.pop_some(taken, 3, 0ms), 3U);
  EXPECT_EQ(taken, (std::vector<int>{0, 1, 2, 3})) << "appended, in queue order";
  EXPECT_EQ(queue.pop_some(taken, 10, 0ms), 2U) << "no more than there is";
  EXPECT_EQ(taken.back(), 5);
  EXPECT_EQ(queue.pop_some(taken, 10, 20ms), 0U) << "gives up on an empty queue";
  std::thread late([&] {
    std::this_thread::sleep_for(30ms);
    queue.push(6);
  });
  EXPECT_EQ(queue.pop_some(taken, 10, 10s), 1U) << "waits for the first item";
  late.join();
  EXPECT_EQ(taken.back(), 6);
}

TEST(BoundedQueue, PopSomeWakesProducersHeldBackOnceARunDrainsPastThreeQuarters) {
  BoundedQueue<int> queue(8);
  for (int n = 0; n < 8; ++n) ASSERT_TRUE(queue.push(n));
  std::atomic<bool> pushed{false};
  std::thread producer([&] { pushed = queue.push(100); });
  std::this_thread::sleep_for(50ms);
  std::vector<int> taken;
  ASSERT_EQ(queue.pop_some(taken, 1, 0ms), 1U);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed) << "woken at the first item taken, not at three quarters";
  ASSERT_EQ(queue.pop_some(taken, 4, 0ms), 4U);  // from 7 to 3, past three quarters in one run
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.size(), 4U);
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

TEST(BoundedQueue, ProducersHeldBackByAFullQueueAllGoOnOnceItDrainedToThreeQuarters) {
  BoundedQueue<int> queue(8);
  for (int n = 0; n < 8; ++n) ASSERT_TRUE(queue.push(n));
  std::atomic<int> pushed{0};
  std::thread first([&] { pushed += queue.push(100) ? 1 : 0; });
  std::thread second([&] { pushed += queue.push(101) ? 1 : 0; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(queue.pop(), 0);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(pushed, 0) << "woken at the first item taken, not at three quarters";
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.pop(), 2);  // 5 left: below three quarters of 8
  first.join();
  second.join();
  EXPECT_EQ(pushed, 2) << "every producer held back goes on";
  EXPECT_EQ(queue.size(), 7U);
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
}  // namespace sluice::pipeline
