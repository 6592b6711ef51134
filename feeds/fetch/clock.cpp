#include "feeds/fetch/clock.h"

namespace sluice::feeds {
namespace {

class RealClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const noexcept override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall() const noexcept override { return std::chrono::system_clock::now(); }
};

}  // namespace

const Clock& Clock::real() noexcept {
  static const RealClock clock;
  return clock;
}

}  // namespace sluice::feeds
