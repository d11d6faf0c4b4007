#include "lpmesh/sim/node_log.hpp"

#include <algorithm>
#include <tuple>

namespace lpm::sim {

namespace {

auto keyOf(std::string_view layer, platform::TraceKind kind, std::string_view reason) {
  return std::make_tuple(layer, static_cast<int>(kind), reason);
}

auto keyOf(const TraceCount& c) {
  return keyOf(std::string_view(c.layer), c.kind, std::string_view(c.reason));
}

}  // namespace

void NodeLog::write(platform::LogLevel level, std::string_view module, std::string_view message) {
  if (!enabled(level)) return;
  const SimTime now = hub_.kernel != nullptr ? hub_.kernel->now() : SimTime{};
  if (hub_.sink) {
    hub_.sink(now, node_, level, module, message);
    return;
  }
  if (hub_.records.size() >= hub_.capacity) {
    ++hub_.dropped;
    return;
  }
  hub_.records.push_back(LogRecord{now, node_, level, std::string(module), std::string(message)});
}

void NodeTrace::emit(const platform::TraceEvent& event) {
  const auto key = keyOf(event.layer, event.kind, event.reason);
  auto it = std::lower_bound(counters_.begin(), counters_.end(), key,
                             [](const TraceCount& c, const auto& k) { return keyOf(c) < k; });
  if (it == counters_.end() || keyOf(*it) != key) {
    TraceCount c;
    c.layer = std::string(event.layer);
    c.kind = event.kind;
    c.reason = std::string(event.reason);
    it = counters_.insert(it, std::move(c));
  }
  ++it->events;
  it->sum += event.value;
  if (hub_.trace_sink) {
    const SimTime now = hub_.kernel != nullptr ? hub_.kernel->now() : SimTime{};
    hub_.trace_sink(now, node_, event);
  }
}

const TraceCount* NodeTrace::find(std::string_view layer, platform::TraceKind kind,
                                  std::string_view reason) const {
  const auto key = keyOf(layer, kind, reason);
  auto it = std::lower_bound(counters_.begin(), counters_.end(), key,
                             [](const TraceCount& c, const auto& k) { return keyOf(c) < k; });
  if (it == counters_.end() || keyOf(*it) != key) return nullptr;
  return &*it;
}

}  // namespace lpm::sim
