#include "lpmesh/scenario/runner.hpp"

#include <gtest/gtest.h>

#include "lpmesh/scenario/loader.hpp"

namespace lpm::scenario {
namespace {

Scenario load(const std::string& text) {
  return loadScenarioText(text, "t.yaml", "", builtinStackKinds());
}

RunOutputs runAll(const Scenario& s, std::optional<std::uint64_t> seed = std::nullopt) {
  RunOptions options;
  options.seed = seed;
  Runner runner(s, options, builtinStackKinds());
  runner.runToEnd();
  return runner.finish();
}

const nlohmann::ordered_json& beacon(const RunOutputs& out, const char* phy) {
  return out.summary["stacks"]["beacon"][phy];
}

// Three nodes within a unit disk: every frame reaches every listener unless it collides.
std::string threeNodes(const std::string& phy_lines, const std::string& faults = "") {
  return "duration: 10s\n"
         "topology:\n  positions: [[0, 0], [3, 0], [0, 4]]\n"
         "propagation: {model: unit_disk, range_m: 50}\n"
         "stacks:\n  - kind: beacon\n    period: 100ms\n" +
         phy_lines + faults;
}

TEST(Runner, BeaconsOn802154ReachTheirNeighbours) {
  const Scenario s = load(threeNodes("    phy: ieee802154\n    channel: 20\n    jitter: 5ms\n"));
  const RunOutputs out = runAll(s);
  const auto& b = beacon(out, "ieee802154");
  const std::uint64_t sent = b["sent"];
  EXPECT_GE(sent, 3u * 99);
  EXPECT_LE(sent, 3u * 100);
  EXPECT_EQ(b["expected"], 2 * sent);  // each beacon, two listeners, all powered
  EXPECT_GE(b["received"].get<double>(), 0.9 * b["expected"].get<double>());
  EXPECT_LE(b["received"].get<std::uint64_t>(), b["expected"].get<std::uint64_t>());
  EXPECT_EQ(b["duplicates"], 0);
  // Distances 3, 4 and 5 m: bins [0, 5) and [5, 10).
  ASSERT_EQ(b["prr_by_distance"].size(), 2u);
  EXPECT_EQ(b["prr_by_distance"][0]["from_m"], 0.0);
  EXPECT_EQ(b["prr_by_distance"][1]["from_m"], 5.0);
  EXPECT_EQ(out.summary["phys"]["ieee802154"]["nodes"], 3);
  EXPECT_FALSE(out.summary["phys"].contains("ble"));
  EXPECT_EQ(out.summary["phys"]["ieee802154"]["tx_frames"], sent);
}

TEST(Runner, BeaconsOnBleCountOncePerAdvertisingEvent) {
  const Scenario s = load(threeNodes("    phy: ble\n"));
  const RunOutputs out = runAll(s);
  const auto& b = beacon(out, "ble");
  const std::uint64_t sent = b["sent"];
  EXPECT_GE(sent, 3u * 90);  // advDelay (0..10 ms) stretches nothing: our timer sets the pace
  EXPECT_LE(sent, 3u * 100);
  EXPECT_EQ(out.summary["phys"]["ble"]["tx_frames"], 3 * sent);  // one PDU per channel
  EXPECT_EQ(b["expected"], 2 * sent);
  EXPECT_GE(b["received"].get<double>(), 0.8 * b["expected"].get<double>());
  EXPECT_LE(b["received"].get<std::uint64_t>(), b["expected"].get<std::uint64_t>());
}

TEST(Runner, PoweredOffListenersAreNotExpected) {
  const Scenario s =
      load(threeNodes("    phy: ieee802154\n",
                      "faults:\n  - power_off: 2\n    at: 2s\n  - power_on: 2\n    at: 6s\n"));
  const RunOutputs out = runAll(s);
  const auto& rows = out.summary["node_rows"];
  const std::uint64_t s0 = rows[0]["sent"], s1 = rows[1]["sent"], s2 = rows[2]["sent"];
  EXPECT_NEAR(static_cast<double>(s2), 60.0, 2.0);  // off for 4 of 10 s
  // Node 2 misses what 0 and 1 send while it is off (about 40 beacons each).
  const double expected = beacon(out, "ieee802154")["expected"].get<double>();
  EXPECT_NEAR(expected, static_cast<double>(2 * (s0 + s1 + s2)) - 80.0, 3.0);
  EXPECT_LT(rows[2]["duty_cycle"].get<double>(), 0.7);
}

TEST(Runner, CountersSurviveAReboot) {
  const Scenario s =
      load(threeNodes("    phy: ieee802154\n", "faults:\n  - reboot: 0\n    at: 5s\n"));
  const RunOutputs out = runAll(s);
  const auto& b = beacon(out, "ieee802154");
  // A counter restarting at 0 would make node 0's later beacons look like duplicates.
  EXPECT_EQ(b["duplicates"], 0);
  EXPECT_GE(b["received"].get<double>(), 0.9 * b["expected"].get<double>());
}

TEST(Runner, NodesWithoutStacksHaveNoRadio) {
  const Scenario s = load(
      "duration: 1s\ntopology:\n  positions: [[0, 0], [1, 0], [2, 0]]\n"
      "stacks:\n  - kind: beacon\n    phy: ble\n    nodes: 0\n"
      "  - kind: beacon\n    phy: ieee802154\n    nodes: [0, 1]\n");
  const RunOutputs out = runAll(s);
  const auto& rows = out.summary["node_rows"];
  EXPECT_EQ(rows[0]["phy"], "ieee802154+ble");
  EXPECT_EQ(rows[1]["phy"], "ieee802154");
  EXPECT_EQ(rows[2]["phy"], "none");
  EXPECT_EQ(rows[2]["sent"], 0);
}

TEST(Runner, ChunkingAndSeedsAreDeterministic) {
  const Scenario s = load(
      "duration: 5s\ntopology:\n  random: {count: 12, size: 40}\n"
      "stacks:\n  - kind: beacon\n    phy: ieee802154\n    nodes: 0-5\n    period: 50ms\n"
      "  - kind: beacon\n    phy: ble\n    nodes: 6-11\n    period: 30ms\n");
  const RunOutputs once = runAll(s);
  // The same run advanced in uneven chunks gives the same bytes.
  Runner runner(s, RunOptions{}, builtinStackKinds());
  for (std::int64_t ms = 1; !runner.done(); ms = ms * 3 + 7) {
    runner.runUntil(runner.now() + millis(ms));
  }
  const RunOutputs chunked = runner.finish();
  EXPECT_EQ(once.summary.dump(), chunked.summary.dump());
  EXPECT_EQ(once.nodes_csv, chunked.nodes_csv);
  EXPECT_EQ(once.table, chunked.table);

  const RunOutputs other = runAll(s, 2);
  EXPECT_NE(once.summary.dump(), other.summary.dump());
  EXPECT_NE(once.nodes_csv, other.nodes_csv);
  EXPECT_EQ(other.summary["seed"], 2);
}

TEST(Runner, UntilStopsEarly) {
  const Scenario s = load(threeNodes("    phy: ieee802154\n"));
  RunOptions options;
  options.until = millis(1500);
  Runner runner(s, options, builtinStackKinds());
  runner.runToEnd();
  EXPECT_EQ(runner.now(), simTime(millis(1500)));
  const RunOutputs out = runner.finish();
  EXPECT_DOUBLE_EQ(out.summary["simulated_s"].get<double>(), 1.5);
  EXPECT_LE(beacon(out, "ieee802154")["sent"].get<std::uint64_t>(), 3u * 15);
}

}  // namespace
}  // namespace lpm::scenario
