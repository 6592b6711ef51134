// A bounded multi-producer multi-consumer queue between pipeline stages. Overflow policy: the
// producer blocks, so a slow stage slows the one before it and nothing is dropped. close() wakes
// everyone: producers are refused, consumers drain what is left and then get nullopt.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace sluice::pipeline {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity), resume_at_(capacity - capacity / 4) {}

  // Waits for room (once the queue was full, until it has drained to three quarters, when every
  // pusher held back goes on); false (item not taken) once the queue is closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Waits for an item; nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  // Takes up to `most` items at once, appended to `into` in order: one lock and one wake-up for
  // all of them. Waits up to `timeout` for the first; returns how many it took (0 when none came
  // in time, or the queue is closed and drained).
  std::size_t pop_some(std::vector<T>& into, std::size_t most, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    const std::size_t before = items_.size();
    const std::size_t taken = std::min(most, before);
    for (std::size_t i = 0; i < taken; ++i) {
      into.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    wake_pushers(before);
    return taken;
  }

  void close() {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // True once closed and drained: no item will ever come out again.
  bool finished() const {
    const std::lock_guard lock(mutex_);
    return closed_ && items_.empty();
  }

  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  std::optional<T> take(std::unique_lock<std::mutex>&) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    wake_pushers(items_.size() + 1);
    return item;
  }

  // Pushers held back by a full queue are woken once it has drained to three quarters, not at
  // every item taken: at full speed a wake-up per item costs each side a system call.
  void wake_pushers(std::size_t before) {
    if (before >= resume_at_ && items_.size() < resume_at_) not_full_.notify_all();
  }

  const std::size_t capacity_;
  const std::size_t resume_at_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace sluice::pipeline
