#include "lpmesh/scenario/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "lpmesh/scenario/beacon_kind.hpp"

namespace lpm::scenario {
namespace {

Scenario load(const std::string& text, const std::string& base_dir = "") {
  return loadScenarioText(text, "t.yaml", base_dir, builtinStackKinds());
}

/// The full error text of loading `text`, or "" when it loads.
std::string errorOf(const std::string& text, const std::string& base_dir = "") {
  try {
    (void)load(text, base_dir);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

const char* const kMinimal = R"(duration: 10s
topology:
  grid: {rows: 2, cols: 3, spacing: 5}
stacks:
  - kind: beacon
    phy: ieee802154
)";

TEST(Loader, MinimalScenarioGetsDefaults) {
  const Scenario s = load(kMinimal);
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, seconds(10));
  EXPECT_EQ(s.nodeCount(), 6u);
  EXPECT_EQ(s.topology.kind, TopologyKind::kGrid);
  EXPECT_EQ(s.propagation.kind, sim::PropagationKind::kLogDistance);
  ASSERT_EQ(s.stacks.size(), 1u);
  EXPECT_EQ(s.stacks[0].kind, "beacon");
  EXPECT_EQ(s.stacks[0].name, "beacon#0");
  EXPECT_EQ(s.stacks[0].nodes, (std::vector<NodeId>{0, 1, 2, 3, 4, 5}));
  const auto& p = static_cast<const BeaconConfig&>(*s.stacks[0].config).params();
  EXPECT_EQ(p.phy, BeaconPhy::kIeee802154);
  EXPECT_EQ(p.channel, 26);
  EXPECT_EQ(p.period, seconds(1));
  EXPECT_TRUE(s.outputs.pcap_802154);
  EXPECT_TRUE(s.outputs.pcap_ble);
}

TEST(Loader, FullScenario) {
  const Scenario s = load(R"(name: full
description: everything set
seed: 42
duration: 1.5min
topology:
  random: {count: 20, size: [50, 40, 3], min_spacing: 1.5}
  seed: 9
  drift_ppm: 30
propagation:
  model: unit_disk
  range_m: 25
  rx_dbm: -70
phy:
  noise_figure_db: 8
  capture_threshold_db: 4
  prune_below_dbm: -105
  cca_threshold_dbm: -80
  current_rx_ma: 5.5
stacks:
  - kind: beacon
    name: a
    nodes: 0-9
    phy: ieee802154
    channel: 15
    period: 250ms
    jitter: 10ms
    start: 2s
    size: 100
    pan_id: 0x1234
    tx_power_dbm: -4
    cca: true
  - kind: beacon
    name: b
    nodes: [10, "11-13", 19]
    phy: ble
    channels: [37, 39]
    period: 20ms
    size: 31
faults:
  - reboot: 3
    at: 10s
  - kill: [4, 5]
    at: 20s
  - power_on: "4-5"
    at: 30s
  - jammer: {channel: 15, position: [1, 2, 3], power_dbm: 5}
    from: 1s
    to: 2s
  - jammer: {ble_channel: 38, position: [0, 0]}
    from: 80s
outputs:
  dir: out/x
  pcap: {ieee802154: false}
  distance_bin_m: 2.5
)");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "everything set");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, seconds(90));
  EXPECT_EQ(s.topology.kind, TopologyKind::kRandom);
  EXPECT_EQ(s.topology.count, 20u);
  EXPECT_DOUBLE_EQ(s.topology.box.z, 3.0);
  EXPECT_DOUBLE_EQ(s.topology.min_spacing_m, 1.5);
  EXPECT_EQ(s.topology.seed, std::optional<std::uint64_t>(9));
  EXPECT_DOUBLE_EQ(s.topology.drift_ppm, 30.0);
  EXPECT_EQ(s.propagation.kind, sim::PropagationKind::kUnitDisk);
  EXPECT_DOUBLE_EQ(s.propagation.range_m, 25.0);
  EXPECT_DOUBLE_EQ(s.propagation.unit_disk_rx_dbm, -70.0);
  EXPECT_DOUBLE_EQ(s.phy.noise_figure_db, 8.0);
  EXPECT_DOUBLE_EQ(s.phy.prune_below_dbm, -105.0);
  EXPECT_EQ(s.phy.cca_threshold_dbm, -80);
  EXPECT_DOUBLE_EQ(s.phy.current_rx_ma, 5.5);
  ASSERT_EQ(s.stacks.size(), 2u);
  const auto& a = static_cast<const BeaconConfig&>(*s.stacks[0].config).params();
  EXPECT_EQ(a.channel, 15);
  EXPECT_EQ(a.period, millis(250));
  EXPECT_EQ(a.jitter, millis(10));
  EXPECT_EQ(a.start_delay, seconds(2));
  EXPECT_EQ(a.size, 100u);
  EXPECT_EQ(a.tx_power_dbm, -4);
  EXPECT_TRUE(a.cca);
  EXPECT_EQ(s.stacks[1].nodes, (std::vector<NodeId>{10, 11, 12, 13, 19}));
  const auto& b = static_cast<const BeaconConfig&>(*s.stacks[1].config).params();
  EXPECT_EQ(b.phy, BeaconPhy::kBle);
  EXPECT_EQ(b.ble_channel_map, 0x05);
  EXPECT_EQ(b.size, 31u);
  EXPECT_EQ(s.stacks[1].config->describe(), "beacon on BLE ch 37/39 every 20ms, 31 B");
  ASSERT_EQ(s.faults.size(), 5u);
  EXPECT_EQ(s.faults[0].kind, FaultKind::kReboot);
  EXPECT_EQ(s.faults[0].at, simTime(seconds(10)));
  EXPECT_EQ(s.faults[1].kind, FaultKind::kPowerOff);
  EXPECT_EQ(s.faults[1].nodes, (std::vector<NodeId>{4, 5}));
  EXPECT_EQ(s.faults[2].kind, FaultKind::kPowerOn);
  EXPECT_EQ(s.faults[3].kind, FaultKind::kJammer);
  EXPECT_DOUBLE_EQ(s.faults[3].center_mhz, 2425.0);
  EXPECT_DOUBLE_EQ(s.faults[3].power_dbm, 5.0);
  EXPECT_EQ(s.faults[3].at, simTime(seconds(1)));
  EXPECT_EQ(s.faults[3].until, simTime(seconds(2)));
  EXPECT_DOUBLE_EQ(s.faults[4].center_mhz, 2426.0);
  EXPECT_EQ(s.faults[4].until, simTime(seconds(90)));  // no `to`: until the end
  EXPECT_EQ(s.outputs.dir, "out/x");
  EXPECT_FALSE(s.outputs.pcap_802154);
  EXPECT_TRUE(s.outputs.pcap_ble);
  EXPECT_DOUBLE_EQ(s.outputs.distance_bin_m, 2.5);
}

TEST(Loader, NeighbourListsFollowTheLoudestStack) {
  EXPECT_EQ(load(kMinimal).phy.max_tx_power_dbm, sim::PhyConfig{}.max_tx_power_dbm);
  const std::string loud = std::string(kMinimal) + "    tx_power_dbm: 8\n";
  EXPECT_EQ(load(loud).phy.max_tx_power_dbm, 8.0);
  // Set explicitly: kept as written.
  EXPECT_EQ(load(loud + "phy: {max_tx_power_dbm: 4}\n").phy.max_tx_power_dbm, 4.0);
}

TEST(Loader, UnknownStackKindListsTheRegisteredOnes) {
  std::string kinds;
  for (std::string_view k : builtinStackKinds().names()) {
    kinds += (kinds.empty() ? "" : ", ") + std::string(k);
  }
  EXPECT_NE(kinds.find("beacon"), std::string::npos);
  EXPECT_EQ(errorOf(std::string("duration: 1s\n") +
                    "topology:\n  grid: {rows: 2, cols: 3, spacing: 5}\n" +
                    "stacks:\n  - kind: zigbee\n"),
            "t.yaml:5:11: stacks[0].kind: unknown value 'zigbee' (expected one of " + kinds + ")");
}

TEST(Loader, ChannelFrequencies) {
  EXPECT_DOUBLE_EQ(channel802154Mhz(11), 2405.0);
  EXPECT_DOUBLE_EQ(channel802154Mhz(26), 2480.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(37), 2402.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(38), 2426.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(39), 2480.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(0), 2404.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(10), 2424.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(11), 2428.0);
  EXPECT_DOUBLE_EQ(channelBleMhz(36), 2478.0);
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string error;
};

// Keeps test names short in ctest and gtest output (default: a byte dump of the struct).
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class LoaderErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LoaderErrors, ReportFileLineColumn) {
  EXPECT_EQ(errorOf(GetParam().text), GetParam().error);
}

const std::string kTopo = "topology:\n  grid: {rows: 2, cols: 3, spacing: 5}\n";
const std::string kStack = "stacks:\n  - kind: beacon\n    phy: ieee802154\n";

INSTANTIATE_TEST_SUITE_P(
    All, LoaderErrors,
    ::testing::Values(
        ErrorCase{"empty", "", "t.yaml:1:1: empty scenario"},
        ErrorCase{"syntax", "duration: [1, 2\n",
                  "t.yaml:2:1: YAML syntax: end of sequence flow not found"},
        ErrorCase{"not_a_map", "- 1\n- 2\n",
                  "t.yaml:1:1: scenario: expected a mapping (key: value lines), got a list"},
        ErrorCase{"unknown_top_key", "duration: 1s\n" + kTopo + kStack + "colour: red\n",
                  "t.yaml:7:1: scenario: unknown key 'colour' (expected one of name, "
                  "description, seed, duration, topology, propagation, phy, stacks, faults, "
                  "outputs)"},
        ErrorCase{"duplicate_key", "duration: 1s\nduration: 2s\n" + kTopo + kStack,
                  "t.yaml:2:1: scenario: duplicate key 'duration'"},
        ErrorCase{"missing_duration", kTopo + kStack,
                  "t.yaml:1:1: scenario: missing required key 'duration'"},
        ErrorCase{"bad_duration", "duration: 10 parsecs\n" + kTopo + kStack,
                  "t.yaml:1:11: duration: expected a duration such as 10s, 250ms, 100us, 1.5min "
                  "or 1h (a plain number is seconds), got '10 parsecs'"},
        ErrorCase{"zero_duration", "duration: 0s\n" + kTopo + kStack,
                  "t.yaml:1:11: duration: 0s is shorter than the minimum 1us"},
        ErrorCase{"seed_type", "seed: abc\nduration: 1s\n" + kTopo + kStack,
                  "t.yaml:1:7: seed: expected a non-negative integer, got 'abc'"},
        ErrorCase{"seed_negative", "seed: -3\nduration: 1s\n" + kTopo + kStack,
                  "t.yaml:1:7: seed: expected a non-negative integer, got '-3'"},
        ErrorCase{"missing_topology", "duration: 1s\n" + kStack,
                  "t.yaml:1:1: scenario: missing required key 'topology'"},
        ErrorCase{"topology_two_forms",
                  "duration: 1s\ntopology:\n  grid: {rows: 1, cols: 1, spacing: 1}\n"
                  "  random: {count: 3, size: 10}\n" +
                      kStack,
                  "t.yaml:4:11: topology: give only one of positions, grid, random, csv (both "
                  "grid and random given)"},
        ErrorCase{"topology_none", "duration: 1s\ntopology:\n  drift_ppm: 3\n" + kStack,
                  "t.yaml:3:3: topology: missing one of positions, grid, random, csv"},
        ErrorCase{"grid_missing_cols",
                  "duration: 1s\ntopology:\n  grid:\n    rows: 2\n    "
                  "spacing: 3\n" +
                      kStack,
                  "t.yaml:4:5: topology.grid: missing required key 'cols'"},
        ErrorCase{
            "grid_unknown_key",
            "duration: 1s\ntopology:\n  grid: {rows: 2, cols: 2, spacing: 3, colums: 4}\n" + kStack,
            "t.yaml:3:40: topology.grid: unknown key 'colums' (expected one of rows, cols, "
            "spacing, origin)"},
        ErrorCase{"grid_rows_type",
                  "duration: 1s\ntopology:\n  grid: {rows: two, cols: 2, spacing: 3}\n" + kStack,
                  "t.yaml:3:16: topology.grid.rows: expected an integer, got 'two'"},
        ErrorCase{"grid_rows_range",
                  "duration: 1s\ntopology:\n  grid: {rows: 0, cols: 2, spacing: 3}\n" + kStack,
                  "t.yaml:3:16: topology.grid.rows: 0 is out of range [1, 100000]"},
        ErrorCase{
            "grid_too_big",
            "duration: 1s\ntopology:\n  grid: {rows: 1000, cols: 1000, spacing: 3}\n" + kStack,
            "t.yaml:3:9: topology.grid: 1000000 nodes is more than the limit of 100000"},
        ErrorCase{"position_short",
                  "duration: 1s\ntopology:\n  positions: [[1, 2], [3]]\n" + kStack,
                  "t.yaml:3:23: topology.positions[1]: expected [x, y] or [x, y, z] in metres, "
                  "got a list of 1"},
        ErrorCase{"position_nan", "duration: 1s\ntopology:\n  positions: [[1, .nan]]\n" + kStack,
                  "t.yaml:3:19: topology.positions[0]: expected a number, got '.nan'"},
        ErrorCase{"random_negative_size",
                  "duration: 1s\ntopology:\n  random: {count: 3, size: [10, -1]}\n" + kStack,
                  "t.yaml:3:28: topology.random.size: sizes must not be negative"},
        ErrorCase{"propagation_unknown_model",
                  "duration: 1s\n" + kTopo + "propagation:\n  model: ray_tracing\n" + kStack,
                  "t.yaml:5:10: propagation.model: unknown value 'ray_tracing' (expected one of "
                  "unit_disk, log_distance, link_table)"},
        ErrorCase{"propagation_foreign_key",
                  "duration: 1s\n" + kTopo + "propagation:\n  model: log_distance\n  range_m: 3\n" +
                      kStack,
                  "t.yaml:6:12: propagation.range_m: does not apply to model log_distance (it "
                  "belongs to unit_disk)"},
        ErrorCase{"propagation_missing_range",
                  "duration: 1s\n" + kTopo + "propagation:\n  model: unit_disk\n" + kStack,
                  "t.yaml:5:3: propagation: missing required key 'range_m'"},
        ErrorCase{"exponent_range",
                  "duration: 1s\n" + kTopo + "propagation: {model: log_distance, exponent: 12}\n" +
                      kStack,
                  "t.yaml:4:46: propagation.exponent: 12 is out of range [1, 8]"},
        ErrorCase{"phy_unknown_key", "duration: 1s\n" + kTopo + "phy:\n  noise_db: 3\n" + kStack,
                  "t.yaml:5:3: phy: unknown key 'noise_db' (expected one of noise_figure_db, "
                  "sensitivity_802154_dbm, sensitivity_ble_dbm, capture_threshold_db, "
                  "prune_below_dbm, cca_threshold_dbm, max_tx_power_dbm, voltage_v, current_tx_ma, "
                  "current_rx_ma, "
                  "current_sleep_ma, current_off_ma)"},
        ErrorCase{"stacks_empty", "duration: 1s\n" + kTopo + "stacks: []\n",
                  "t.yaml:4:9: stacks: expected a list of stack entries (- kind: beacon ...)"},
        ErrorCase{"stack_missing_kind", "duration: 1s\n" + kTopo + "stacks:\n  - phy: ble\n",
                  "t.yaml:5:5: stacks[0]: missing required key 'kind'"},
        ErrorCase{"beacon_missing_phy", "duration: 1s\n" + kTopo + "stacks:\n  - kind: beacon\n",
                  "t.yaml:5:5: stacks[0]: missing required key 'phy'"},
        ErrorCase{"beacon_channel_range", "duration: 1s\n" + kTopo + kStack + "    channel: 27\n",
                  "t.yaml:7:14: stacks[0].channel: 27 is out of range [11, 26]"},
        ErrorCase{"beacon_unknown_key", "duration: 1s\n" + kTopo + kStack + "    perod: 1s\n",
                  "t.yaml:7:5: stacks[0]: unknown key 'perod' (expected one of kind, name, "
                  "nodes, phy, channels, channel, size, pan_id, cca, period, jitter, start, "
                  "tx_power_dbm)"},
        ErrorCase{
            "beacon_ble_channel_key",
            "duration: 1s\n" + kTopo + "stacks:\n  - kind: beacon\n    phy: ble\n    channel: 37\n",
            "t.yaml:7:14: stacks[0].channel: does not apply to phy ble (use channels: "
            "[37, 38, 39])"},
        ErrorCase{"beacon_ble_channel_twice",
                  "duration: 1s\n" + kTopo +
                      "stacks:\n  - kind: beacon\n    phy: ble\n    channels: [37, 37]\n",
                  "t.yaml:7:20: stacks[0].channels: channel 37 listed twice"},
        ErrorCase{"beacon_ble_period_short",
                  "duration: 1s\n" + kTopo +
                      "stacks:\n  - kind: beacon\n    phy: ble\n    period: 10ms\n",
                  "t.yaml:7:13: stacks[0].period: 10ms is shorter than the minimum 20ms"},
        ErrorCase{"beacon_jitter",
                  "duration: 1s\n" + kTopo + kStack + "    period: 100ms\n    jitter: 100ms\n",
                  "t.yaml:8:13: stacks[0].jitter: must be shorter than the period (100ms)"},
        ErrorCase{"beacon_size", "duration: 1s\n" + kTopo + kStack + "    size: 126\n",
                  "t.yaml:7:11: stacks[0].size: 126 is out of range [19, 125]"},
        ErrorCase{"beacon_cca_type", "duration: 1s\n" + kTopo + kStack + "    cca: maybe\n",
                  "t.yaml:7:10: stacks[0].cca: expected true or false, got 'maybe'"},
        ErrorCase{"nodes_out_of_range", "duration: 1s\n" + kTopo + kStack + "    nodes: 0-6\n",
                  "t.yaml:7:12: stacks[0].nodes: node 6 does not exist (the topology has 6 "
                  "nodes, 0..5)"},
        ErrorCase{"nodes_garbage", "duration: 1s\n" + kTopo + kStack + "    nodes: some\n",
                  "t.yaml:7:12: stacks[0].nodes: expected all, a node id, a range such as 0-24, "
                  "or a list, got 'some'"},
        ErrorCase{"nodes_reversed", "duration: 1s\n" + kTopo + kStack + "    nodes: 4-2\n",
                  "t.yaml:7:12: stacks[0].nodes: empty range '4-2'"},
        ErrorCase{"radio_conflict",
                  "duration: 1s\n" + kTopo + kStack + "    nodes: 0-2\n" +
                      "  - kind: beacon\n    phy: ieee802154\n    nodes: [2]\n",
                  "t.yaml:10:12: stacks[1].nodes: node 2 already runs a stack on the same radio"},
        ErrorCase{"duplicate_stack_name",
                  "duration: 1s\n" + kTopo + kStack + "    name: x\n    nodes: 0\n" +
                      "  - kind: beacon\n    phy: ble\n    name: x\n",
                  "t.yaml:11:11: stacks[1].name: 'x' is already used"},
        ErrorCase{"fault_after_end",
                  "duration: 1s\n" + kTopo + kStack + "faults:\n  - reboot: 1\n    at: 2s\n",
                  "t.yaml:9:9: faults[0].at: 2s is after the end of the run (duration 1s)"},
        ErrorCase{"fault_two_kinds",
                  "duration: 1s\n" + kTopo + kStack + "faults:\n  - reboot: 1\n    kill: 2\n",
                  "t.yaml:9:11: faults[0]: one fault per entry (both reboot and kill given)"},
        ErrorCase{"fault_missing_at",
                  "duration: 1s\n" + kTopo + kStack + "faults:\n  - reboot: 1\n",
                  "t.yaml:8:5: faults[0]: missing required key 'at'"},
        ErrorCase{"fault_unknown_kind",
                  "duration: 1s\n" + kTopo + kStack + "faults:\n  - explode: 1\n    at: 1s\n",
                  "t.yaml:8:5: faults[0]: missing one of reboot, power_off, kill, power_on, "
                  "jammer"},
        ErrorCase{"jammer_missing_position",
                  "duration: 1s\n" + kTopo + kStack +
                      "faults:\n  - jammer: {channel: 11}\n    from: 0s\n",
                  "t.yaml:8:13: faults[0].jammer: missing required key 'position'"},
        ErrorCase{"jammer_two_channels",
                  "duration: 1s\n" + kTopo + kStack +
                      "faults:\n  - jammer: {channel: 11, ble_channel: 3, position: [0, 0]}\n"
                      "    from: 0s\n",
                  "t.yaml:8:13: faults[0].jammer: give exactly one of channel (802.15.4), "
                  "ble_channel, frequency_mhz"},
        ErrorCase{"jammer_reversed",
                  "duration: 10s\n" + kTopo + kStack +
                      "faults:\n  - jammer: {frequency_mhz: 2440, position: [0, 0]}\n"
                      "    from: 5s\n    to: 4s\n",
                  "t.yaml:10:9: faults[0].to: must be after from"},
        ErrorCase{"outputs_pcap_type",
                  "duration: 1s\n" + kTopo + kStack + "outputs:\n  pcap: {ble: sometimes}\n",
                  "t.yaml:8:15: outputs.pcap.ble: expected true or false, got 'sometimes'"},
        ErrorCase{"csv_missing", "duration: 1s\ntopology:\n  csv: no/such/file.csv\n" + kStack,
                  "t.yaml:3:8: cannot read 'no/such/file.csv'"}),
    [](const ::testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

class SideFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("lpm_scenario_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "links");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string linkScenario() const {
    return "duration: 1s\ntopology:\n  positions: [[0, 0], [1, 0], [2, 0]]\n"
           "propagation:\n  model: link_table\n  file: links/l.csv\n" +
           kStack;
  }
  std::filesystem::path dir_;
};

TEST_F(SideFiles, LinkTableByPathLossAndPrr) {
  write("links/l.csv", "# measured\nfrom,to,path_loss_db\n1,0,80.5\n0,1,81\n\n2,1, 95 \n");
  Scenario s = load(linkScenario(), dir_.string());
  EXPECT_EQ(s.propagation.kind, sim::PropagationKind::kLinkTable);
  ASSERT_EQ(s.propagation.links.size(), 3u);
  EXPECT_EQ(s.propagation.links[0].from, 0u);  // sorted by (from, to)
  EXPECT_EQ(s.propagation.links[0].to, 1u);
  EXPECT_EQ(s.propagation.links[0].path_loss_db, 81.0);
  EXPECT_FALSE(s.propagation.links[0].prr.has_value());
  EXPECT_EQ(s.propagation.links[2].from, 2u);
  EXPECT_EQ(s.propagation.links[2].path_loss_db, 95.0);

  write("links/l.csv", "from,to,prr\r\n0,2,0.5\r\n");
  s = load(linkScenario(), dir_.string());
  ASSERT_EQ(s.propagation.links.size(), 1u);
  EXPECT_EQ(s.propagation.links[0].prr, 0.5);
}

TEST_F(SideFiles, LinkTableErrorsPointIntoTheCsv) {
  const std::string csv = (dir_ / "links/l.csv").lexically_normal().string();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "1:1: link table: empty file (expected a header from,to,path_loss_db or from,to,prr)"},
      {"from,to,rssi\n", "1:1: link table: the header must be from,to,path_loss_db or from,to,prr"},
      {"from,to,prr\n0,1\n", "2:1: link table: expected 3 fields, got 2"},
      {"from,to,prr\n0,1,0.5,9\n", "2:1: link table: expected 3 fields, got 4"},
      {"from,to,prr\n0, x,0.5\n", "2:4: to: expected an integer, got 'x'"},
      {"from,to,prr\n0,3,0.5\n", "2:3: to: 3 is out of range [0, 2]"},
      {"from,to,prr\n-1,0,0.5\n", "2:1: from: -1 is out of range [0, 2]"},
      {"from,to,prr\n1,1,0.5\n", "2:3: link table: a node cannot link to itself"},
      {"from,to,prr\n0,1,1.5\n", "2:5: prr: 1.5 is out of range [0, 1]"},
      {"from,to,prr\n0,1,\n", "2:5: prr: expected a number, got ''"},
      {"from,to,path_loss_db\n0,1,-3\n", "2:5: path_loss_db: -3 is out of range [0, 250]"},
      {"from,to,prr\n0,1,0.5\n# again\n0,1,0.6\n",
       "4:1: link table: pair 0 -> 1 already given on line 2"},
  };
  for (const auto& [text, error] : cases) {
    write("links/l.csv", text);
    EXPECT_EQ(errorOf(linkScenario(), dir_.string()), csv + ":" + error) << text;
  }
}

TEST_F(SideFiles, PositionsCsv) {
  write("p.csv", "id,x,y,z\n0,1,2,3\n1,4.5,5,6\n");
  const std::string yaml = "duration: 1s\ntopology:\n  csv: p.csv\n" + kStack;
  Scenario s = load(yaml, dir_.string());
  ASSERT_EQ(s.nodeCount(), 2u);
  EXPECT_DOUBLE_EQ(s.topology.positions[1].x, 4.5);
  EXPECT_DOUBLE_EQ(s.topology.positions[1].z, 6.0);

  write("p.csv", "y,x\n1,2\n");  // columns in any order, z optional
  s = load(yaml, dir_.string());
  EXPECT_DOUBLE_EQ(s.topology.positions[0].x, 2.0);
  EXPECT_DOUBLE_EQ(s.topology.positions[0].z, 0.0);

  const std::string csv = (dir_ / "p.csv").lexically_normal().string();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"x,y,w\n", "1:5: positions CSV: unknown column 'w' (expected id, x, y, z)"},
      {"x,x\n", "1:3: positions CSV: column 'x' twice"},
      {"x,z\n", "1:1: positions CSV: the header must name columns x and y"},
      {"x,y\n", "1:1: positions CSV: no rows after the header"},
      {"id,x,y\n0,1,1\n2,1,1\n",
       "3:1: positions CSV: expected id 1 (ids are 0, 1, 2, ... in order), got 2"},
      {"x,y\n1,abc\n", "2:3: y: expected a number, got 'abc'"},
      {"x,y\n1,2,3\n", "2:1: positions CSV: expected 2 fields, got 3"},
  };
  for (const auto& [text, error] : cases) {
    write("p.csv", text);
    EXPECT_EQ(errorOf(yaml, dir_.string()), csv + ":" + error) << text;
  }
}

TEST_F(SideFiles, LoadsFileRelativeToItsFolder) {
  write("links/l.csv", "from,to,prr\n0,1,1\n");
  write("s.yaml", linkScenario());
  const Scenario s = loadScenarioFile((dir_ / "s.yaml").string(), builtinStackKinds());
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.propagation.links.size(), 1u);
  EXPECT_EQ(s.file, (dir_ / "s.yaml").string());

  try {
    (void)loadScenarioFile((dir_ / "missing.yaml").string(), builtinStackKinds());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_ / "missing.yaml").string() + ": cannot read the scenario file");
  }
}

TEST(Loader, ExampleScenariosLoad) {
  for (const char* name :
       {"quickstart.yaml", "grid_faults.yaml", "link_table.yaml", "csv_positions.yaml"}) {
    const std::string path = std::string(LPM_SOURCE_DIR) + "/scenarios/" + name;
    EXPECT_NO_THROW((void)loadScenarioFile(path, builtinStackKinds())) << path;
  }
  const Scenario q = loadScenarioFile(std::string(LPM_SOURCE_DIR) + "/scenarios/quickstart.yaml",
                                      builtinStackKinds());
  EXPECT_EQ(q.nodeCount(), 50u);
  EXPECT_EQ(q.stacks.size(), 2u);
}

}  // namespace
}  // namespace lpm::scenario
