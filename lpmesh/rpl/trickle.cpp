#include "lpmesh/rpl/trickle.hpp"

namespace lpm::rpl {

namespace {
constexpr Duration kMaxInterval = seconds(std::int64_t{100} * 365 * 24 * 3600);
}  // namespace

TrickleParams TrickleParams::fromRpl(std::uint8_t interval_min, std::uint8_t doublings,
                                     std::uint8_t redundancy) {
  TrickleParams p;
  // RFC 6550 §6.7.6: Imin = 2^DIOIntervalMin ms. Exponents past 40 exceed any useful range.
  const unsigned e = interval_min > 40 ? 40U : interval_min;
  p.imin = millis(std::int64_t{1} << e);
  p.doublings = doublings;
  p.k = redundancy;
  return p;
}

Duration TrickleParams::imax() const {
  Duration d = imin;
  for (unsigned i = 0; i < doublings && d < kMaxInterval; ++i)
    d *= 2;
  return d < kMaxInterval ? d : kMaxInterval;
}

Trickle::Trickle(platform::Timers& timers, Rng& rng, void* context, TransmitFn transmit)
    : timers_(timers), rng_(rng), context_(context), transmit_(transmit) {}

Trickle::~Trickle() {
  stop();
}

void Trickle::start(const TrickleParams& params) {
  params_ = params;
  if (params_.imin <= Duration{0}) params_.imin = millis(1);
  imax_ = params_.imax();
  interval_ = params_.imin;
  running_ = true;
  beginInterval();
}

void Trickle::stop() {
  running_ = false;
  timers_.stop(t_timer_);
  timers_.stop(end_timer_);
}

void Trickle::inconsistent() {
  if (!running_ || interval_ <= params_.imin) return;
  ++stats_.resets;
  interval_ = params_.imin;
  beginInterval();
}

void Trickle::beginInterval() {
  // RFC 6206 §4.2 step 2: c = 0, t uniform in [I/2, I).
  ++stats_.intervals;
  counter_ = 0;
  const LocalTime now = timers_.now();
  const Duration half = interval_ / 2;
  const auto span = static_cast<std::uint64_t>((interval_ - half).count());
  const Duration t = half + Duration{static_cast<std::int64_t>(rng_.below(span))};
  t_at_ = now + t;
  end_at_ = now + interval_;
  timers_.startAt(t_timer_, t_at_);
  timers_.startAt(end_timer_, end_at_);
}

void Trickle::onT() {
  // Step 4: transmit iff c < k.
  if (params_.k == 0 || counter_ < params_.k) {
    ++stats_.transmissions;
    transmit_(context_);
  } else {
    ++stats_.suppressed;
  }
}

void Trickle::onEnd() {
  // Step 5: double up to Imax and begin a new interval.
  interval_ = interval_ * 2 > imax_ ? imax_ : interval_ * 2;
  beginInterval();
}

}  // namespace lpm::rpl
