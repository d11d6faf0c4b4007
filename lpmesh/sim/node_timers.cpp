#include "lpmesh/sim/node_timers.hpp"

#include <algorithm>
#include <cassert>

namespace lpm::sim {

using platform::Timer;

NodeTimers::NodeTimers(Kernel& kernel, NodeClock clock) : kernel_(kernel), clock_(clock) {}

NodeTimers::~NodeTimers() {
  if (event_.valid()) kernel_.cancel(event_);
}

void NodeTimers::startAt(Timer& timer, LocalTime at) {
  if (halted_) return;
  const Entry entry{at, next_order_++, &timer};
  timer.fire_at_ = at;
  timer.order_ = entry.order;
  if (timer.slot_ != Timer::kNotRunning) {
    assert(timer.slot_ < heap_.size() && heap_[timer.slot_].timer == &timer &&
           "timer runs on another node's timer service");
    heap_[timer.slot_] = entry;
    place(timer.slot_);
  } else {
    heap_.push_back(entry);
    timer.slot_ = static_cast<std::uint32_t>(heap_.size() - 1);
    siftUp(heap_.size() - 1);
  }
  if (!dispatching_) rearm();
}

void NodeTimers::stop(Timer& timer) {
  const std::uint32_t slot = timer.slot_;
  if (slot == Timer::kNotRunning || slot >= heap_.size() || heap_[slot].timer != &timer) return;
  removeAt(slot);
  timer.slot_ = Timer::kNotRunning;
  if (!dispatching_) rearm();
}

void NodeTimers::stopAll() {
  // The Timer objects still exist here (the stacks are destroyed after this call): mark
  // them stopped so that nothing later mistakes a stale slot_ for a running timer.
  for (const Entry& e : heap_)
    e.timer->slot_ = Timer::kNotRunning;
  heap_.clear();
  if (event_.valid()) kernel_.cancel(event_);
  event_ = EventId{};
  event_local_ = kLocalTimeNever;
  event_at_ = kSimTimeNever;
  halted_ = true;
}

void NodeTimers::setClock(const NodeClock& clock) {
  clock_ = clock;
  halted_ = false;
  // The head's sim time changes with the clock: force the kernel event to be re-armed.
  if (event_.valid()) kernel_.cancel(event_);
  event_ = EventId{};
  event_local_ = kLocalTimeNever;
  event_at_ = kSimTimeNever;
  if (!dispatching_) rearm();
}

void NodeTimers::onEvent(void* context, std::uint64_t /*arg*/) {
  static_cast<NodeTimers*>(context)->dispatch();
}

void NodeTimers::dispatch() {
  event_ = EventId{};
  event_local_ = kLocalTimeNever;
  event_at_ = kSimTimeNever;
  if (heap_.empty()) return;
  Timer* const timer = heap_.front().timer;
  assert(now() >= heap_.front().at && "timer would fire early");
  removeAt(0);
  timer->slot_ = Timer::kNotRunning;
  ++fired_;
  // Starts and stops made by the handler only reorder the heap; the kernel event is
  // re-armed once afterwards. The timer is not touched after its handler: the handler
  // may have destroyed it.
  dispatching_ = true;
  timer->fire();
  dispatching_ = false;
  rearm();
}

void NodeTimers::rearm() {
  if (heap_.empty()) {
    if (event_.valid()) kernel_.cancel(event_);
    event_ = EventId{};
    event_local_ = kLocalTimeNever;
    event_at_ = kSimTimeNever;
    return;
  }
  const LocalTime head = heap_.front().at;
  // Same local time under the same clock: same sim time, keep the queued event.
  if (event_.valid() && head == event_local_) return;
  if (event_.valid()) kernel_.cancel(event_);
  event_ = EventId{};
  event_local_ = head;
  event_at_ = kSimTimeNever;
  const SimTime at = clock_.toSim(head);  // the earliest sim time that reads >= head
  if (at == kSimTimeNever) return;        // armed for "never": nothing to queue
  event_ = kernel_.schedule(at, &NodeTimers::onEvent, this);
  event_at_ = std::max(at, kernel_.now());
}

void NodeTimers::place(std::size_t index) {
  if (index > 0 && before(heap_[index], heap_[(index - 1) / 2])) {
    siftUp(index);
  } else {
    siftDown(index);
  }
}

void NodeTimers::siftUp(std::size_t index) {
  const Entry moving = heap_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!before(moving, heap_[parent])) break;
    heap_[index] = heap_[parent];
    heap_[index].timer->slot_ = static_cast<std::uint32_t>(index);
    index = parent;
  }
  heap_[index] = moving;
  moving.timer->slot_ = static_cast<std::uint32_t>(index);
}

void NodeTimers::siftDown(std::size_t index) {
  const Entry moving = heap_[index];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], moving)) break;
    heap_[index] = heap_[child];
    heap_[index].timer->slot_ = static_cast<std::uint32_t>(index);
    index = child;
  }
  heap_[index] = moving;
  moving.timer->slot_ = static_cast<std::uint32_t>(index);
}

void NodeTimers::removeAt(std::size_t index) {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) return;
  heap_[index] = last;
  last.timer->slot_ = static_cast<std::uint32_t>(index);
  place(index);
}

}  // namespace lpm::sim
