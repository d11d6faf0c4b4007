// Log and named trace points (DESIGN.md "One object per node", observability).
//
// A stack never writes a file: it logs through Log, and publishes trace points
// (tx, rx, drop with a reason, state changes, counters) through Trace. Statistics,
// pcap, logs and the web view subscribe to them in the simulator.
#pragma once

#include <cstdint>
#include <string_view>

#include "lpmesh/core/error.hpp"

namespace lpm::platform {

enum class LogLevel : std::uint8_t { kError, kWarn, kInfo, kDebug, kTrace };

class Log {
 public:
  virtual ~Log() = default;
  virtual bool enabled(LogLevel level) const = 0;
  /// `module` is the layer ("btmesh.net", "tsch"); message is complete text.
  virtual void write(LogLevel level, std::string_view module, std::string_view message) = 0;
};

enum class TraceKind : std::uint8_t {
  kTx,       ///< a PDU left this layer downward
  kRx,       ///< a PDU was accepted by this layer
  kDrop,     ///< a PDU was discarded; `reason` says why
  kState,    ///< a state machine changed state; `reason` names the new state
  kCounter,  ///< a named counter grew by `value`
  kMetric,   ///< a measured value (`value`), e.g. a latency in µs
};

struct TraceEvent {
  std::string_view layer;   ///< "btmesh.net", "tsch", "rpl" ...
  TraceKind kind = TraceKind::kCounter;
  std::string_view reason;  ///< drop reason, state name or counter name; static storage
  std::int64_t value = 1;
};

class Trace {
 public:
  virtual ~Trace() = default;
  virtual void emit(const TraceEvent& event) = 0;
};

/// Helper so stacks write one line per trace point.
inline void trace(Trace* t, std::string_view layer, TraceKind kind, std::string_view reason,
                  std::int64_t value = 1) {
  if (t != nullptr) t->emit(TraceEvent{layer, kind, reason, value});
}

}  // namespace lpm::platform
