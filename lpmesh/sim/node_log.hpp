// Per-node platform::Log and platform::Trace of the simulator (issue #2 §4 "log";
// DESIGN.md "Every layer publishes named trace points").
//
// Log records go to a world-wide LogHub: a sink function if one is set, else a bounded
// in-memory list (tests, the CLI). Trace events are counted per node, keyed by
// (layer, kind, reason) and kept sorted, so summaries iterate them in a deterministic
// order; a world-wide sink may also observe every event as it happens.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/platform/log.hpp"
#include "lpmesh/sim/kernel.hpp"

namespace lpm::sim {

struct LogRecord {
  SimTime time{};
  NodeId node = kInvalidNode;
  platform::LogLevel level = platform::LogLevel::kInfo;
  std::string module;
  std::string message;
};

using LogSink = std::function<void(SimTime time, NodeId node, platform::LogLevel level,
                                   std::string_view module, std::string_view message)>;
using TraceSink = std::function<void(SimTime time, NodeId node, const platform::TraceEvent& event)>;

/// World-wide destination of node logs and trace events.
struct LogHub {
  const Kernel* kernel = nullptr;
  platform::LogLevel level = platform::LogLevel::kWarn;
  std::size_t capacity = 100'000;  ///< records kept when no sink is set
  std::uint64_t dropped = 0;       ///< records not kept because the list was full
  LogSink sink;
  TraceSink trace_sink;
  std::vector<LogRecord> records;
};

class NodeLog final : public platform::Log {
 public:
  NodeLog(LogHub& hub, NodeId node) : hub_(hub), node_(node) {}
  bool enabled(platform::LogLevel level) const override { return level <= hub_.level; }
  void write(platform::LogLevel level, std::string_view module, std::string_view message) override;

 private:
  LogHub& hub_;
  NodeId node_;
};

/// One counter of a node's trace: how many events and the sum of their values.
struct TraceCount {
  std::string layer;
  platform::TraceKind kind = platform::TraceKind::kCounter;
  std::string reason;
  std::uint64_t events = 0;
  std::int64_t sum = 0;
};

class NodeTrace final : public platform::Trace {
 public:
  NodeTrace(LogHub& hub, NodeId node) : hub_(hub), node_(node) {}
  void emit(const platform::TraceEvent& event) override;
  /// Sorted by (layer, kind, reason).
  const std::vector<TraceCount>& counters() const { return counters_; }
  /// The counter for a key, or nullptr.
  const TraceCount* find(std::string_view layer, platform::TraceKind kind,
                         std::string_view reason) const;

 private:
  LogHub& hub_;
  NodeId node_;
  std::vector<TraceCount> counters_;
};

}  // namespace lpm::sim
