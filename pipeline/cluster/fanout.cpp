#include "pipeline/cluster/fanout.h"

#include <utility>

namespace sluice::pipeline {

Fanout::Fanout(std::size_t helpers) {
  helpers_.reserve(helpers);
  for (std::size_t i = 0; i < helpers; ++i) helpers_.emplace_back([this](std::stop_token stop) { help(stop); });
}

Fanout::~Fanout() {
  for (auto& helper : helpers_) helper.request_stop();
  helpers_.clear();  // joined here, while the members they use still live
}

void Fanout::run(std::span<const std::function<void()>> jobs) {
  std::unique_lock lock(mutex_);
  jobs_ = jobs;
  next_ = 0;
  if (jobs_.size() > 1) more_.notify_all();
  work(lock);
  done_.wait(lock, [&] { return running_ == 0; });
  jobs_ = {};
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void Fanout::work(std::unique_lock<std::mutex>& lock) {
  while (next_ < jobs_.size()) {
    const std::function<void()>& job = jobs_[next_++];
    ++running_;
    lock.unlock();
    std::exception_ptr failed;
    try {
      job();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    if (failed && !failure_) failure_ = failed;
    if (--running_ == 0 && next_ == jobs_.size()) done_.notify_all();
  }
}

void Fanout::help(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (more_.wait(lock, stop, [&] { return next_ < jobs_.size(); })) work(lock);
}

}  // namespace sluice::pipeline
