// One-shot timers and the node's own clock (DESIGN.md "The platform contract").
//
// A Timer is embedded in the stack object that owns it and is never moved or copied;
// the platform keeps a pointer to it while it runs. A stack arms it with
// Timers::start/startAt and is called back through the handler. Time is the node's
// LocalClock, which drifts against simulated true time by the node's ppm.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lpmesh/core/time.hpp"

namespace lpm::platform {

class Timer {
 public:
  using Handler = void (*)(void* context, Timer& timer);

  Timer(void* context, Handler handler) : context_(context), handler_(handler) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Handler that calls a member function of the context object:
  /// `Timer retransmit_{this, &Timer::thunk<&LowerTransport::onRetransmit>};`
  template <auto kMethod>
  static void thunk(void* context, Timer& /*timer*/) {
    using Class = typename MemberClass<decltype(kMethod)>::type;
    (static_cast<Class*>(context)->*kMethod)();
  }

  bool isRunning() const { return slot_ != kNotRunning; }
  /// When it fires (node-local time); meaningful only while running.
  LocalTime fireTime() const { return fire_at_; }

  void fire() { handler_(context_, *this); }

  // --- bookkeeping owned by the platform implementation; stacks do not touch it ---
  static constexpr std::uint32_t kNotRunning = 0xFFFFFFFFu;
  std::uint32_t slot_ = kNotRunning;  ///< the platform's index for this timer
  LocalTime fire_at_{};
  std::uint64_t order_ = 0;  ///< arming order: ties at one time fire in arming order

 private:
  template <class M>
  struct MemberClass;
  template <class C, class R>
  struct MemberClass<R (C::*)()> {
    using type = C;
  };

  void* context_;
  Handler handler_;
};

/// The node's clock and timer service.
class Timers {
 public:
  virtual ~Timers() = default;
  /// The node's own clock (drifts against true time by the node's ppm).
  virtual LocalTime now() const = 0;
  /// Arms (or re-arms) `timer` to fire at local time `at`; a time in the past fires
  /// as soon as possible, after the current event.
  virtual void startAt(Timer& timer, LocalTime at) = 0;
  /// Stops a running timer; harmless on a stopped one.
  virtual void stop(Timer& timer) = 0;

  void start(Timer& timer, Duration delay) { startAt(timer, now() + delay); }
};

}  // namespace lpm::platform
