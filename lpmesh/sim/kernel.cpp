#include "lpmesh/sim/kernel.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace lpm::sim {

Kernel::Kernel() {
  records_.reserve(1024);
}

Kernel::~Kernel() = default;

std::uint32_t Kernel::grow() {
  assert(records_.size() < kNil && "event slab exhausted");
  const auto idx = static_cast<std::uint32_t>(records_.size());
  records_.push_back(Record{0, nullptr, nullptr, 0, kNil, kNil, 0, kFreeBucket});
  return idx;
}

void Kernel::firstCoarseSlot(unsigned& level, std::uint32_t& digit) const {
  for (unsigned l = 1; l < kLevels; ++l) {
    if (!levelEmpty(l)) {
      level = l;
      digit = firstSlot(l);
      return;
    }
  }
  assert(false && "cascade on an empty wheel");
  level = 0;
  digit = 0;
}

std::uint64_t Kernel::minTimeIn(std::uint32_t bi) const {
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  for (std::uint32_t i = buckets_[bi].head; i != kNil; i = records_[i].next) {
    best = std::min(best, records_[i].time);
  }
  return best;
}

bool Kernel::cascadeUpTo(std::uint64_t end) {
  while (levelEmpty(0)) {
    unsigned level = 0;
    std::uint32_t digit = 0;
    firstCoarseSlot(level, digit);
    const unsigned shift = level * kBits;
    const unsigned above = shift + kBits;
    const std::uint64_t high = above >= 64 ? 0 : cursor_ & ~((std::uint64_t{1} << above) - 1);
    const std::uint64_t block_start = high | (std::uint64_t{digit} << shift);
    const std::uint64_t block_last = block_start + ((std::uint64_t{1} << shift) - 1);
    const std::uint32_t bi = level * kSlots + digit;
    // Every event of this slot lies in [block_start, block_last]; only a block that
    // straddles `end` needs its list scanned to know whether anything runs.
    if (block_start > end) return false;
    if (block_last > end && minTimeIn(bi) > end) return false;
    cursor_ = std::max(cursor_, block_start);
    // A lone event is the earliest pending one: moving the cursor onto it sends it
    // straight to level 0 instead of down one level per cascade (the common case when
    // events are sparse, µs to s apart).
    const std::uint32_t head = buckets_[bi].head;
    if (head == buckets_[bi].tail) cursor_ = std::max(cursor_, records_[head].time);
    std::uint32_t i = head;
    buckets_[bi] = Bucket{};
    clearSlot(level, digit);
    // In list order, so every finer slot receives its events in scheduling order.
    while (i != kNil) {
      const std::uint32_t next = records_[i].next;
      link(i);
      i = next;
    }
  }
  return true;
}

void Kernel::runUntil(SimTime end) {
  stopped_ = false;
  while (!stopped_ && step(end)) {
  }
  if (!stopped_ && end != kSimTimeNever && end > now_) now_ = end;
}

SimTime Kernel::nextEventTime() {
  if (pending_ == 0) return kSimTimeNever;
  std::uint64_t t = 0;
  if (!levelEmpty(0)) {
    t = records_[buckets_[firstSlot(0)].head].time;
  } else {
    unsigned level = 0;
    std::uint32_t digit = 0;
    firstCoarseSlot(level, digit);
    t = minTimeIn(level * kSlots + digit);
  }
  return SimTime{Duration{static_cast<std::int64_t>(t)}};
}

}  // namespace lpm::sim
