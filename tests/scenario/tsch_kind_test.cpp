// The `tsch` stack kind: the example scenario runs to an asserted outcome, a static
// time-source tree is built and followed, and bad entries are reported with their
// location.
#include "lpmesh/scenario/tsch_kind.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "lpmesh/scenario/loader.hpp"
#include "lpmesh/scenario/runner.hpp"
#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::scenario {
namespace {

nlohmann::ordered_json runScenario(const Scenario& s, const StackRegistry& registry) {
  RunOptions o;
  o.out_dir = testing::TempDir() + "lpm_tsch_kind_" + s.name;
  std::filesystem::create_directories(o.out_dir);
  Runner runner(s, o, registry);
  runner.runToEnd();
  return runner.finish().summary;
}

TEST(TschKind, MinimalScenarioJoinsAndDelivers) {
  const StackRegistry registry = builtinStackKinds();
  const Scenario s =
      loadScenarioFile(std::string(LPM_SOURCE_DIR) + "/scenarios/tsch_minimal.yaml", registry);
  const auto summary = runScenario(s, registry);
  const auto& net = summary["stacks"]["tsch"]["networks"][0];
  EXPECT_EQ(net["nodes"], 25);
  EXPECT_EQ(net["synchronized_at_end"], 25);
  EXPECT_EQ(net["never_synchronized"], 0);
  EXPECT_EQ(net["desyncs"], 0);
  EXPECT_EQ(net["time_to_sync_s"]["count"], 24);
  EXPECT_GT(net["traffic"]["generated"].get<int>(), 300);
  EXPECT_GT(net["traffic"]["pdr"].get<double>(), 0.97);
  EXPECT_GT(net["mac"]["pdr"].get<double>(), 0.97);
  EXPECT_EQ(net["drops"]["security"], 0);
  EXPECT_EQ(net["per_node"].size(), 25U);
  EXPECT_EQ(net["per_node"][12]["role"], "coordinator");
  // RFC 8180 §4.1 with 7 slots: about 2.2 ms of listening per 70 ms, plus scanning.
  EXPECT_LT(net["duty_cycle"]["mean"].get<double>(), 0.6);
}

const char* kLine = R"(
name: tsch_line
duration: 15min
topology:
  positions: [[0, 0], [10, 0], [20, 0], [30, 0], [40, 0]]
  drift_ppm: 20
propagation:
  model: log_distance
  exponent: 3.0
  shadowing_sigma_db: 0
stacks:
  - kind: tsch
    coordinator: 0
    slotframe_length: 11
    eb_period: 4s
    num_neighbours_to_wait: 1
    static_tree: auto
    static_tree_min_rx_dbm: -85
    traffic: {period: 20s}
outputs:
  pcap: false
)";

TEST(TschKind, AutomaticStaticTreeIsBuiltAndFollowed) {
  const StackRegistry registry = builtinStackKinds();
  const Scenario s = loadScenarioText(kLine, "line.yaml", ".", registry);
  const auto summary = runScenario(s, registry);
  const auto& net = summary["stacks"]["tsch"]["networks"][0];
  const auto& rows = net["per_node"];
  // PL(d) = 40 + 30 log10(d): 10, 20, 30 m are above -85 dBm, 40 m is not.
  EXPECT_FALSE(rows[0].contains("time_source"));
  EXPECT_EQ(rows[1]["time_source"], 0);
  EXPECT_EQ(rows[2]["time_source"], 0);
  EXPECT_EQ(rows[3]["time_source"], 0);
  EXPECT_EQ(rows[4]["time_source"], 3);
  EXPECT_EQ(net["synchronized_at_end"], 5);
  EXPECT_EQ(net["desyncs"], 0);
  EXPECT_GT(net["traffic"]["pdr"].get<double>(), 0.9);
}

TEST(TschKind, BuildStaticTreeLeavesUnreachableNodesOut) {
  sim::WorldConfig c;
  c.propagation.kind = sim::PropagationKind::kUnitDisk;
  c.propagation.range_m = 15.0;
  sim::World w(c);
  for (double x : {0.0, 10.0, 20.0, 100.0}) {
    sim::NodeConfig n;
    n.position = sim::Vec3{x, 0.0, 0.0};
    w.addNode(n);
  }
  w.finalizeTopology();
  const auto tree = buildStaticTree(w, {0, 1, 2, 3}, 0, -90.0, 0.0);
  EXPECT_EQ(tree, (std::map<NodeId, NodeId>{{1, 0}, {2, 1}}));
}

std::string entryWith(const std::string& extra) {
  return std::string(R"(
duration: 1min
topology:
  positions: [[0, 0], [10, 0], [20, 0]]
stacks:
  - kind: tsch
    nodes: 0-1
)") + extra;
}

void expectError(const std::string& text, const std::string& message, bool at_run = false) {
  const StackRegistry registry = builtinStackKinds();
  try {
    const Scenario s = loadScenarioText(text, "bad.yaml", ".", registry);
    ASSERT_TRUE(at_run) << "loaded: " << text;
    RunOptions o;
    o.out_dir = testing::TempDir();
    Runner r(s, o, registry);
    FAIL() << "no error for: " << text;
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    EXPECT_EQ(e.mark().file, "bad.yaml");
    EXPECT_GT(e.mark().line, 0);
  }
}

TEST(TschKind, BadEntriesAreReportedWithTheirLocation) {
  expectError(entryWith(""), "coordinator");
  expectError(entryWith("    coordinator: 2\n"), "not one of the entry's nodes", true);
  expectError(entryWith("    coordinator: 0\n    static_tree: {1: 2}\n"),
              "not one of the entry's nodes", true);
  expectError(entryWith("    coordinator: 0\n    static_tree: {1: 1}\n"), "its own time source");
  expectError(entryWith("    coordinator: 0\n    security: {k1: 0011}\n"), "16 bytes of hex");
  expectError(entryWith("    coordinator: 0\n    security: {join_mode: maybe}\n"), "join_mode");
  expectError(entryWith("    coordinator: 0\n    min_be: 5\n    max_be: 3\n"), "min_be");
  expectError(
      entryWith("    coordinator: 0\n    timeslot: {template_id: 1, announce_full: false}\n"),
      "announced in full");
  expectError(entryWith("    coordinator: 0\n    hopping: {sequence: [10]}\n"), "sequence");
  expectError(entryWith("    coordinator: 0\n    slotframe_lenght: 7\n"), "slotframe_lenght");
}

}  // namespace
}  // namespace lpm::scenario
