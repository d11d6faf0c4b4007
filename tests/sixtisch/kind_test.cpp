// The `sixtisch` scenario kind: YAML parsing and errors, a run's summary, determinism.
#include <gtest/gtest.h>

#include "lpmesh/scenario/loader.hpp"
#include "lpmesh/scenario/runner.hpp"
#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::scenario {
namespace {

const char* kLine = R"(
name: line
seed: 3
duration: 20min
topology:
  positions: [[0, 0], [20, 0], [40, 0], [60, 0]]
propagation:
  model: unit_disk
  range_m: 25
stacks:
  - kind: sixtisch
    nodes: all
    root: 0
    mop: MOP
    slotframe_length: 11
    eb_period: 16s
    num_neighbours_to_wait: 1
    max_eb_delay: 30s
    leaves: [3]
    enrollment: {pan_priority: 7}
    traffic: {period: 30s, ping_period: 60s, size: 12}
outputs:
  pcap: {ieee802154: false}
)";

std::string withMop(const char* mop) {
  std::string s = kLine;
  s.replace(s.find("MOP"), 3, mop);
  return s;
}

nlohmann::ordered_json run(const std::string& text) {
  const StackRegistry registry = builtinStackKinds();
  const Scenario sc = loadScenarioText(text, "line.yaml", ".", registry);
  RunOptions opt;
  opt.out_dir = ::testing::TempDir();
  Runner runner(sc, opt, registry);
  runner.runToEnd();
  return runner.finish().summary;
}

TEST(SixtischKind, RunReportsFormationTrafficAndTree) {
  for (const char* mop : {"non_storing", "storing"}) {
    SCOPED_TRACE(mop);
    const auto summary = run(withMop(mop));
    const auto& net = summary.at("stacks").at("sixtisch").at("networks").at(0);
    EXPECT_EQ(net.at("mop"), mop);
    EXPECT_EQ(net.at("synchronised_at_end"), 4);
    EXPECT_EQ(net.at("joined_at_end"), 4);
    EXPECT_EQ(net.at("eb_before_rank"), 0);
    EXPECT_EQ(net.at("time_to_sync_s").at("count"), 3);
    EXPECT_EQ(net.at("time_to_reachable_down_s").at("count"), 3);
    EXPECT_GE(net.at("up").at("pdr").get<double>(), 0.9);
    EXPECT_GE(net.at("down").at("pdr").get<double>(), 0.9);
    EXPECT_GT(net.at("control").at("dio_tx").get<int>(), 0);
    EXPECT_GT(net.at("control").at("eb_tx").get<int>(), 0);
    // The tree: a line, each node the child of the one before; node 3 a leaf.
    const auto& tree = net.at("rpl_tree");
    ASSERT_EQ(tree.size(), 4U);
    EXPECT_TRUE(tree.at(0).at("parent").is_null());
    EXPECT_EQ(tree.at(0).at("rank"), 256);
    for (std::size_t i = 1; i < 4; ++i) {
      EXPECT_EQ(tree.at(i).at("parent"), i - 1);
      EXPECT_GT(tree.at(i).at("rank").get<int>(), tree.at(i - 1).at("rank").get<int>());
    }
    EXPECT_EQ(net.at("per_node").at(3).at("eb_tx"), 0);  // the leaf
  }
}

TEST(SixtischKind, SameSeedSameSummary) {
  EXPECT_EQ(run(withMop("non_storing")).dump(), run(withMop("non_storing")).dump());
}

TEST(SixtischKind, Errors) {
  const StackRegistry registry = builtinStackKinds();
  auto load = [&](const std::string& text) {
    (void)loadScenarioText(text, "bad.yaml", ".", registry);
  };
  std::string bad = withMop("sideways");
  EXPECT_THROW(load(bad), ScenarioError);
  bad = withMop("storing");
  bad.replace(bad.find("root: 0"), 7, "root: 0\n    prefix: fd00::/48");
  try {
    load(bad);
    ADD_FAILURE() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("prefix"), std::string::npos);
  }
  bad = withMop("storing");
  bad.replace(bad.find("nodes: all"), 10, "nodes: [1, 2, 3]");
  const Scenario sc = loadScenarioText(bad, "bad.yaml", ".", registry);
  RunOptions opt;
  opt.out_dir = ::testing::TempDir();
  EXPECT_THROW(Runner(sc, opt, registry), ScenarioError);  // root 0 not in the entry
}

}  // namespace
}  // namespace lpm::scenario
