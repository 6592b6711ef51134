#include "pipeline/cluster/fanout.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

TEST(Fanout, RunsTheJobsSideBySide) {
  Fanout fanout(3);
  // Each job waits until all four have started: only when they run at once do they all see it.
  std::mutex mutex;
  std::condition_variable all_started;
  int started = 0;
  std::atomic<int> together{0};
  const std::function<void()> job = [&] {
    std::unique_lock lock(mutex);
    if (++started == 4) all_started.notify_all();
    if (all_started.wait_for(lock, 5s, [&] { return started == 4; })) ++together;
  };
  const std::vector<std::function<void()>> jobs(4, job);
  fanout.run(jobs);
  EXPECT_EQ(together, 4) << "the calling thread and three helpers, one job each, at once";
}

TEST(Fanout, RunsEveryJobOfRunAfterRunWithMoreJobsThanThreads) {
  Fanout fanout(2);
  for (int round = 0; round < 50; ++round) {
    std::vector<int> done(7, 0);
    std::vector<std::function<void()>> jobs;
    for (std::size_t i = 0; i < done.size(); ++i) jobs.emplace_back([&done, i] { ++done[i]; });
    fanout.run(jobs);
    EXPECT_EQ(done, std::vector<int>(7, 1)) << "round " << round;
  }
  fanout.run({});  // nothing to do returns at once
}

TEST(Fanout, RethrowsAJobsExceptionOnceTheOthersHaveRun) {
  Fanout fanout(2);
  std::atomic<int> ran{0};
  const std::vector<std::function<void()>> jobs{
      [&] { ++ran; }, [] { throw std::runtime_error("no answer"); }, [&] { ++ran; }, [&] { ++ran; }};
  EXPECT_THROW(fanout.run(jobs), std::runtime_error);
  EXPECT_EQ(ran, 3);
  fanout.run(std::vector<std::function<void()>>{[&] { ++ran; }});  // and it goes on working
  EXPECT_EQ(ran, 4);
}

}  // namespace
}  // namespace sluice::pipeline
