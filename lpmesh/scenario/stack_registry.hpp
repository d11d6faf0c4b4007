// Stack kinds by name: how the `stacks:` section of a scenario plugs in a protocol
// stack. Each kind parses its own keys of a `stacks:` entry into a StackConfig, and per
// run keeps the state shared by its instances (metrics) and builds one instance per node.
// The built-in `beacon` application is one kind; btmesh, tsch and thread add theirs in
// builtinStackKinds().
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::sim {
class World;
struct Vec3;
}  // namespace lpm::sim

namespace lpm::scenario {

class MapReader;
struct Scenario;
struct StackEntry;

/// Which radios a stack needs on its nodes.
struct Radios {
  bool ieee802154 = false;
  bool ble = false;
};

/// The parsed, checked configuration of one `stacks:` entry.
class StackConfig {
 public:
  virtual ~StackConfig() = default;
  virtual Radios radios() const = 0;
  /// One line for `lpmesh validate`, e.g. "beacon on 802.15.4 ch 26 every 1s".
  virtual std::string describe() const = 0;
  /// The highest transmit power the stack will use, when it knows it: the loader sizes
  /// the medium's neighbour lists (phy.max_tx_power_dbm) for it unless the scenario
  /// sets that itself.
  virtual std::optional<double> maxTxPowerDbm() const { return std::nullopt; }
};

/// What a kind may use while a run is set up and reported.
struct RunContext {
  const Scenario& scenario;
  std::uint64_t seed;
  const std::vector<sim::Vec3>& positions;
  sim::World& world;
};

/// Application-level counters of one node, summed over its stacks (nodes.csv).
struct NodeTraffic {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
};

/// One kind's state during one run, shared by all of its entries and nodes.
class KindRun {
 public:
  virtual ~KindRun() = default;
  /// A new instance of `entry` on `node`, at every power-on and reboot.
  virtual std::unique_ptr<platform::Stack> create(NodeId node, const StackEntry& entry,
                                                  platform::Platform& platform) = 0;
  /// The run is over (before report and addNodeTraffic): close open accounting.
  virtual void finish() {}
  /// Adds this node's application counters.
  virtual void addNodeTraffic(NodeId node, NodeTraffic& traffic) const = 0;
  /// Fills `out` (the kind's object under "stacks" in summary.json) and appends its
  /// part of the printed summary to `text`. Output must depend only on the run, so
  /// that equal seeds give equal bytes.
  virtual void report(nlohmann::ordered_json& out, std::string& text) const = 0;
};

class StackKind {
 public:
  virtual ~StackKind() = default;
  virtual std::string_view name() const = 0;
  /// Reads the kind's own keys of a `stacks:` entry (kind, name and nodes are already
  /// taken); throws ScenarioError on bad values. The caller calls entry.finish().
  virtual std::shared_ptr<const StackConfig> parse(MapReader& entry) const = 0;
  /// Called once per run when at least one entry has this kind.
  virtual std::unique_ptr<KindRun> startRun(const RunContext& context) const = 0;
};

class StackRegistry {
 public:
  void add(std::unique_ptr<StackKind> kind);
  const StackKind* find(std::string_view name) const;
  std::vector<std::string_view> names() const;

 private:
  std::vector<std::unique_ptr<StackKind>> kinds_;
};

/// A registry holding every stack kind built into lpmesh.
StackRegistry builtinStackKinds();

}  // namespace lpm::scenario
