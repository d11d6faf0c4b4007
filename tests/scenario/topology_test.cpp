#include "lpmesh/scenario/topology.hpp"

#include <gtest/gtest.h>

namespace lpm::scenario {
namespace {

TopologyConfig randomBox(std::uint32_t count, double side, double min_spacing = 0) {
  TopologyConfig t;
  t.kind = TopologyKind::kRandom;
  t.count = count;
  t.box = sim::Vec3{side, side, 0};
  t.min_spacing_m = min_spacing;
  t.mark = SourceMark{"t.yaml", 4, 3};
  return t;
}

bool samePositions(const std::vector<NodePlacement>& a, const std::vector<NodePlacement>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].position.x != b[i].position.x || a[i].position.y != b[i].position.y ||
        a[i].position.z != b[i].position.z) {
      return false;
    }
  }
  return true;
}

TEST(Topology, GridIsRowMajorFromTheOrigin) {
  TopologyConfig t;
  t.kind = TopologyKind::kGrid;
  t.rows = 2;
  t.cols = 3;
  t.spacing_x = 10;
  t.spacing_y = 5;
  t.origin = sim::Vec3{1, 2, 3};
  const auto p = placeNodes(t, 1);
  ASSERT_EQ(p.size(), 6u);
  EXPECT_DOUBLE_EQ(p[0].position.x, 1);
  EXPECT_DOUBLE_EQ(p[2].position.x, 21);
  EXPECT_DOUBLE_EQ(p[2].position.y, 2);
  EXPECT_DOUBLE_EQ(p[3].position.x, 1);
  EXPECT_DOUBLE_EQ(p[3].position.y, 7);
  EXPECT_DOUBLE_EQ(p[5].position.z, 3);
  EXPECT_EQ(p[5].drift_ppm, 0.0);
}

TEST(Topology, RandomIsDeterministicPerSeedAndInsideTheBox) {
  const TopologyConfig t = randomBox(200, 50);
  const auto a = placeNodes(t, 7);
  const auto b = placeNodes(t, 7);
  const auto c = placeNodes(t, 8);
  EXPECT_TRUE(samePositions(a, b));
  EXPECT_FALSE(samePositions(a, c));
  for (const auto& n : a) {
    EXPECT_GE(n.position.x, 0.0);
    EXPECT_LT(n.position.x, 50.0);
    EXPECT_GE(n.position.y, 0.0);
    EXPECT_LT(n.position.y, 50.0);
    EXPECT_EQ(n.position.z, 0.0);
  }
}

TEST(Topology, PinnedSeedIgnoresTheRunSeed) {
  TopologyConfig t = randomBox(20, 50);
  t.seed = 99;
  EXPECT_TRUE(samePositions(placeNodes(t, 1), placeNodes(t, 2)));
}

TEST(Topology, MinimumSpacingIsHonoured) {
  const TopologyConfig t = randomBox(100, 100, 6.0);
  const auto p = placeNodes(t, 3);
  ASSERT_EQ(p.size(), 100u);
  double closest = 1e9;
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (std::size_t j = i + 1; j < p.size(); ++j) {
      closest = std::min(closest, distance(p[i].position, p[j].position));
    }
  }
  EXPECT_GE(closest, 6.0);
}

TEST(Topology, ImpossibleSpacingIsAnErrorAtTheSection) {
  const TopologyConfig t = randomBox(50, 10, 5.0);
  try {
    (void)placeNodes(t, 1);
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, 4);
    EXPECT_EQ(e.mark().column, 3);
    EXPECT_NE(std::string(e.what()).find("t.yaml:4:3: topology: cannot place node"),
              std::string::npos)
        << e.what();
  }
}

TEST(Topology, DriftIsBoundedAndDeterministic) {
  TopologyConfig t = randomBox(100, 10);
  t.drift_ppm = 40;
  const auto a = placeNodes(t, 5);
  const auto b = placeNodes(t, 5);
  bool any_nonzero = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].drift_ppm, b[i].drift_ppm);
    EXPECT_LE(std::abs(a[i].drift_ppm), 40.0);
    any_nonzero = any_nonzero || a[i].drift_ppm != 0.0;
  }
  EXPECT_TRUE(any_nonzero);
}

TEST(Topology, Distance) {
  EXPECT_DOUBLE_EQ(distance(sim::Vec3{0, 0, 0}, sim::Vec3{3, 4, 12}), 13.0);
}

}  // namespace
}  // namespace lpm::scenario
