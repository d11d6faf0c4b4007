#include "lpmesh/rpl/of0.hpp"

#include <gtest/gtest.h>

#include "tests/testutil/vectors.hpp"

namespace lpm::rpl::of0 {
namespace {

// rpl-of0-rank.json: RFC 8180 §5.1.2 Figure 4 (ranks 256, 768, 1280 ... with numTx 100 /
// numTxAck 75), the step-of-rank arithmetic, and the §6.4 hysteresis example.
TEST(Of0Vectors, Rfc8180Figure4AndArithmetic) {
  const auto file = test::loadVectorFile("sixtisch/rpl-of0-rank.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const auto& ex = v.at("expected");
    if (in.contains("hop")) {
      Params p;
      p.min_hop_rank_increase = in.at("MinHopRankIncrease").get<std::uint16_t>();
      p.rank_factor = in.at("Rf").get<std::uint16_t>();
      p.rank_stretch = in.at("Sr").get<std::uint16_t>();
      const auto inc = rankIncrease(in.at("numTx").get<std::uint32_t>(),
                                    in.at("numTxAck").get<std::uint32_t>(), p);
      ASSERT_TRUE(inc.has_value());
      EXPECT_EQ(*inc, ex.at("rank_increment").get<int>());
      EXPECT_EQ(*inc / p.min_hop_rank_increase, ex.at("step_of_rank").get<int>());
      // The root's rank is MinHopRankIncrease; each hop adds the increment.
      std::uint16_t rank = p.min_hop_rank_increase;
      for (int h = 0; h < in.at("hop").get<int>(); ++h)
        rank = rankThrough(rank, *inc);
      EXPECT_EQ(rank, ex.at("rank").get<int>());
      EXPECT_EQ(dagRank(rank, p.min_hop_rank_increase), ex.at("DAGRank").get<int>());
      EXPECT_EQ(joinMetric(rank, p.min_hop_rank_increase), ex.at("join_metric").get<int>());
    } else if (in.contains("numTx")) {
      const auto tx = in.at("numTx").get<std::uint32_t>();
      const auto ack = in.at("numTxAck").get<std::uint32_t>();
      EXPECT_EQ(acceptableParent(tx, ack), ex.at("selectable_as_parent").get<bool>());
      const auto inc = rankIncrease(tx, ack);
      ASSERT_TRUE(inc.has_value());
      // The integer rule keeps Sp's fraction: the real-number increment exactly here.
      EXPECT_EQ(*inc, ex.at("rank_increment_real").get<double>());
      EXPECT_DOUBLE_EQ(static_cast<double>(stepOfRankScaled(tx, ack)) / kMinHopRankIncrease,
                       ex.at("Sp_real").get<double>());
    } else {
      const bool sw = shouldSwitchParent(in.at("current_path_rank").get<std::uint16_t>(),
                                         in.at("candidate_path_rank").get<std::uint16_t>(),
                                         in.at("PARENT_SWITCH_THRESHOLD").get<std::uint16_t>());
      EXPECT_EQ(sw, ex.at("switch").get<bool>());
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(Of0, LimitsAndSaturation) {
  // ETX above 3 is not acceptable; exactly 3 is (Sp = 7).
  EXPECT_FALSE(rankIncrease(301, 100).has_value());
  EXPECT_EQ(rankIncrease(300, 100), 7 * 256);
  EXPECT_FALSE(rankIncrease(10, 0).has_value());
  // Sp never goes below MINIMUM_STEP_OF_RANK.
  EXPECT_EQ(rankIncrease(1, 1), 256);
  EXPECT_EQ(rankIncrease(90, 100), 256);  // impossible stats (acks > tx) clamp to 1 step
  // Rf and Sr scale and shift the step.
  EXPECT_EQ(rankIncrease(100, 50, Params{256, 2, 1}), 2 * 1024 + 256);
  // MAXIMUM_STEP_OF_RANK caps a custom formula input; saturation at INFINITE_RANK.
  EXPECT_EQ(stepOfRankScaled(1000, 100), 9U * 256U);
  EXPECT_EQ(rankThrough(0xff00, 512), kInfiniteRank);
  EXPECT_EQ(rankIncrease(300, 100, Params{256, 40, 0}), kInfiniteRank);
  EXPECT_EQ(joinMetric(256), 0);
  EXPECT_EQ(joinMetric(100), 0);
  EXPECT_EQ(dagRank(1000, 0), 0);
  // Hysteresis: more than 640 better switches, 640 exactly does not.
  EXPECT_TRUE(shouldSwitchParent(1500, 768));
  EXPECT_FALSE(shouldSwitchParent(1408, 768));
  EXPECT_FALSE(shouldSwitchParent(768, 1500));
  static_assert(rankIncrease(100, 75) == 512);
}

}  // namespace
}  // namespace lpm::rpl::of0
