// A manually advanced clock for RPL tests: platform::Timers plus plain callbacks, all
// run in (time, arming order) like the simulator's kernel.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "lpmesh/platform/timer.hpp"

namespace lpm::test {

class TestClock final : public platform::Timers {
 public:
  LocalTime now() const override { return now_; }

  void startAt(platform::Timer& timer, LocalTime at) override {
    stop(timer);
    timer.fire_at_ = at < now_ ? now_ : at;
    timer.order_ = next_order_++;
    timer.slot_ = 0;
    timers_.insert({timer.fire_at_, timer.order_, &timer});
  }

  void stop(platform::Timer& timer) override {
    if (!timer.isRunning()) return;
    timers_.erase({timer.fire_at_, timer.order_, &timer});
    timer.slot_ = platform::Timer::kNotRunning;
  }

  /// Runs `fn` at `at` (or now if earlier).
  void schedule(LocalTime at, std::function<void()> fn) {
    events_.emplace(std::make_pair(at < now_ ? now_ : at, next_order_++), std::move(fn));
  }
  void after(Duration d, std::function<void()> fn) { schedule(now_ + d, std::move(fn)); }

  /// Runs everything due up to `t`, in order, then sets the clock to `t`.
  void runUntil(LocalTime t) {
    while (step(t)) {
    }
    if (t > now_) now_ = t;
  }
  void advance(Duration d) { runUntil(now_ + d); }
  std::size_t pending() const { return timers_.size() + events_.size(); }

 private:
  bool step(LocalTime limit) {
    const bool have_timer = !timers_.empty();
    const bool have_event = !events_.empty();
    if (!have_timer && !have_event) return false;
    bool take_timer = have_timer;
    if (have_timer && have_event) {
      const auto& t = *timers_.begin();
      const auto& e = events_.begin()->first;
      take_timer = std::make_pair(std::get<0>(t), std::get<1>(t)) < e;
    }
    if (take_timer) {
      auto [at, order, timer] = *timers_.begin();
      if (at > limit) return false;
      timers_.erase(timers_.begin());
      timer->slot_ = platform::Timer::kNotRunning;
      if (at > now_) now_ = at;
      timer->fire();
    } else {
      auto it = events_.begin();
      if (it->first.first > limit) return false;
      auto fn = std::move(it->second);
      if (it->first.first > now_) now_ = it->first.first;
      events_.erase(it);
      fn();
    }
    return true;
  }

  LocalTime now_{};
  std::uint64_t next_order_ = 0;
  std::set<std::tuple<LocalTime, std::uint64_t, platform::Timer*>> timers_;
  std::map<std::pair<LocalTime, std::uint64_t>, std::function<void()>> events_;
};

}  // namespace lpm::test
