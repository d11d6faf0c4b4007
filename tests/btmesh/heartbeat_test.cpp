// Heartbeat publication and subscription on a relayed line of nodes: counts, periods,
// min/max hops, feature-triggered Heartbeats, and the Configuration messages that set
// them up.
#include "lpmesh/btmesh/heartbeat.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

constexpr Address kGroup = 0xC100;

/// Nodes 0..3 on a line (each hears its neighbours only); node 4 next to node 0.
class HeartbeatTest : public ::testing::Test {
 protected:
  HeartbeatTest() {
    FoundationOptions manager;
    manager.config_client = true;
    for (Address a = 1; a <= 5; ++a) {
      bus_.add(a, NodeConfig{}, a == 0x0001 ? manager : FoundationOptions{});
    }
    bus_.reachable = [this](std::size_t from, std::size_t to) {
      if (direct_ && ((from == 0 && to == 3) || (from == 3 && to == 0))) return true;
      if ((from == 4 && to == 0) || (from == 0 && to == 4)) return true;
      if (from == 4 || to == 4) return false;
      return (from > to ? from - to : to - from) == 1;
    };
    for (Address a = 2; a <= 5; ++a) {
      EXPECT_EQ(bus_.nodes[0]->n().keys().setRemoteDevKey(a, test::busDevKey(a)), Error::kNone);
    }
    bus_.start();
  }

  HeartbeatService& hb(std::size_t i) { return bus_.nodes[i]->f().heartbeat(); }

  template <class T>
  T ask(Address dst, const ConfigMessage& request) {
    std::optional<ConfigMessage> got;
    EXPECT_EQ(bus_.nodes[0]->f().configClient()->request(
                  dst, 0, request,
                  [&](Error, Address, const ConfigMessage* status) {
                    if (status != nullptr) got = *status;
                  }),
              Error::kNone);
    for (int i = 0; i < 100 && !got; ++i)
      bus_.run(millis(100));
    if (!got || !std::holds_alternative<T>(*got)) {
      ADD_FAILURE() << "no status for " << std::hex << configOpcode(request);
      return T{};
    }
    return std::get<T>(*got);
  }

  ModelsBus bus_;
  bool direct_ = false;
};

TEST_F(HeartbeatTest, PeriodicPublicationSendsCountHeartbeats) {
  // Node 3 (0x0004) counts Heartbeats from node 0 for 64 s.
  ASSERT_EQ(hb(3).setSubscription(ConfigHeartbeatSubscriptionSet{0x0001, kGroup, 7}),
            ConfigStatus::kSuccess);
  EXPECT_TRUE(bus_.nodes[3]->n().network().isOwnAddress(0x0004));
  // 4 Heartbeats (CountLog 3), one every 2 s (PeriodLog 2), TTL 5, relay feature.
  ASSERT_EQ(
      hb(0).setPublication(ConfigHeartbeatPublicationSet{kGroup, 3, 2, 5, Heartbeat::kRelay, 0}),
      ConfigStatus::kSuccess);
  EXPECT_EQ(hb(0).publicationStatus(ConfigStatus::kSuccess).count_log, 3);
  bus_.run(millis(500));
  EXPECT_EQ(hb(0).stats().sent, 1U);  // the first one at once
  EXPECT_EQ(hb(0).publication().count, 3);
  EXPECT_EQ(hb(0).publicationStatus(ConfigStatus::kSuccess).count_log, 2);
  bus_.run(seconds(20));
  EXPECT_EQ(hb(0).stats().sent, 4U);
  EXPECT_EQ(hb(0).publication().count, 0);
  EXPECT_EQ(hb(0).publicationStatus(ConfigStatus::kSuccess).count_log, 0);

  const auto& sub = hb(3).subscription();
  EXPECT_EQ(sub.count, 4);
  // 0x0001 -> 0x0002 -> 0x0003 -> 0x0004: two relays, received with TTL 3, InitTTL 5:
  // 3 hops.
  EXPECT_EQ(sub.min_hops, 3);
  EXPECT_EQ(sub.max_hops, 3);
  // Nodes not subscribed ignored it (node 1 relays but does not count).
  EXPECT_EQ(hb(1).stats().received, 0U);
  EXPECT_EQ(hb(1).subscription().count, 0);
}

TEST_F(HeartbeatTest, MinAndMaxHopsAndThePeriodEnd) {
  ASSERT_EQ(hb(3).setSubscription(ConfigHeartbeatSubscriptionSet{0x0001, 0x0004, 6}),
            ConfigStatus::kSuccess);  // 32 s, to its own unicast address
  std::vector<HeartbeatEvent> events;
  hb(3).on_heartbeat = [&](const HeartbeatEvent& e) { events.push_back(e); };
  ASSERT_EQ(hb(0).setPublication(ConfigHeartbeatPublicationSet{0x0004, 0xFF, 1, 10, 0, 0}),
            ConfigStatus::kSuccess);  // forever, every second
  bus_.run(millis(3500));
  direct_ = true;  // now node 0 reaches node 3 directly as well
  bus_.run(seconds(4));
  const auto st = hb(3).subscriptionStatus(ConfigStatus::kSuccess);
  EXPECT_EQ(st.min_hops, 1);
  EXPECT_EQ(st.max_hops, 3);
  EXPECT_EQ(hb(3).subscription().count, 8);
  EXPECT_EQ(st.count_log, 4);  // 8 -> floor(log2 8) + 1
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().hops, 3);
  EXPECT_EQ(events.back().hops, 1);
  EXPECT_EQ(events.back().features, Heartbeat::kRelay);
  // Remaining period ~24.5 s: log 5 (16..31).
  EXPECT_EQ(st.period_log, 5);

  bus_.run(seconds(30));  // past the 32 s period
  EXPECT_EQ(hb(3).subscriptionRemaining(), 0U);
  const std::uint16_t frozen = hb(3).subscription().count;
  bus_.run(seconds(10));
  EXPECT_EQ(hb(3).subscription().count, frozen);  // no longer counting
  const auto after = hb(3).subscriptionStatus(ConfigStatus::kSuccess);
  EXPECT_EQ(after.period_log, 0);
  EXPECT_EQ(after.source, 0x0001);
  EXPECT_EQ(after.min_hops, 1);
  EXPECT_GT(hb(0).stats().sent, 40U);
  EXPECT_EQ(hb(0).publication().count, 0xFFFF);  // indefinitely

  // Source unassigned clears the state.
  ASSERT_EQ(hb(3).setSubscription(ConfigHeartbeatSubscriptionSet{0, 0x0004, 6}),
            ConfigStatus::kSuccess);
  EXPECT_EQ(hb(3).subscription().count, 0);
  EXPECT_EQ(hb(3).subscription().source, 0);
}

TEST_F(HeartbeatTest, FeatureChangeTriggersAHeartbeat) {
  ASSERT_EQ(hb(4).setSubscription(ConfigHeartbeatSubscriptionSet{0x0001, kGroup, 8}),
            ConfigStatus::kSuccess);
  std::vector<HeartbeatEvent> events;
  hb(4).on_heartbeat = [&](const HeartbeatEvent& e) { events.push_back(e); };
  // No periodic publication (PeriodLog 0), only triggered ones for the relay feature.
  ASSERT_EQ(
      hb(0).setPublication(ConfigHeartbeatPublicationSet{kGroup, 0, 0, 3, Heartbeat::kRelay, 0}),
      ConfigStatus::kSuccess);
  bus_.run(seconds(5));
  EXPECT_TRUE(events.empty());
  // The manager turns its own relay off through its Configuration Server.
  auto st = ask<ConfigRelayStatus>(0x0001, ConfigRelaySet{0, TransmitState{2, 1}});
  EXPECT_EQ(st.relay, 0);
  bus_.run(seconds(1));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].features, 0);
  EXPECT_EQ(events[0].hops, 1);
  // The Friend state is not supported: no change, no Heartbeat.
  (void)ask<ConfigFriendStatus>(0x0001, ConfigFriendSet{1});
  bus_.run(seconds(1));
  EXPECT_EQ(events.size(), 1U);
  EXPECT_EQ(hb(0).stats().sent_triggered, 1U);
}

TEST_F(HeartbeatTest, ConfiguredThroughTheConfigurationModels) {
  auto sub = ask<ConfigHeartbeatSubscriptionStatus>(
      0x0004, ConfigHeartbeatSubscriptionSet{0x0002, kGroup, 0x10});
  EXPECT_EQ(sub.status, ConfigStatus::kSuccess);
  EXPECT_EQ(sub.source, 0x0002);
  EXPECT_EQ(sub.destination, kGroup);
  EXPECT_EQ(sub.period_log, 0x10);
  EXPECT_EQ(sub.min_hops, 0x7F);
  EXPECT_EQ(sub.count_log, 0);

  auto pub = ask<ConfigHeartbeatPublicationStatus>(
      0x0002, ConfigHeartbeatPublicationSet{kGroup, 2, 1, 7, 0x000F, 0});
  EXPECT_EQ(pub.status, ConfigStatus::kSuccess);
  EXPECT_EQ(pub.destination, kGroup);
  EXPECT_EQ(pub.ttl, 7);
  EXPECT_EQ(pub.features, 0x000F);
  bus_.run(seconds(5));
  auto got = ask<ConfigHeartbeatSubscriptionStatus>(0x0004, ConfigHeartbeatSubscriptionGet{});
  EXPECT_EQ(got.count_log, 2);  // 2 Heartbeats: CountLog 2
  EXPECT_EQ(got.min_hops, 2);   // 0x0002 -> 0x0003 (relay) -> 0x0004: received with TTL 6
  EXPECT_EQ(got.max_hops, 2);
  auto pub_now = ask<ConfigHeartbeatPublicationStatus>(0x0002, ConfigHeartbeatPublicationGet{});
  EXPECT_EQ(pub_now.count_log, 0);

  // Errors and prohibited values.
  EXPECT_EQ(ask<ConfigHeartbeatPublicationStatus>(
                0x0002, ConfigHeartbeatPublicationSet{kGroup, 2, 1, 7, 0, 0x0055})
                .status,
            ConfigStatus::kInvalidNetKeyIndex);
  EXPECT_EQ(ask<ConfigHeartbeatPublicationStatus>(
                0x0002, ConfigHeartbeatPublicationSet{0x8100, 2, 1, 7, 0, 0})
                .status,
            ConfigStatus::kInvalidAddress);
  auto& client = *bus_.nodes[0]->f().configClient();
  client.timeout = seconds(1);
  int statuses = 0;
  for (const ConfigMessage& m :
       {ConfigMessage{ConfigHeartbeatPublicationSet{kGroup, 0x12, 1, 7, 0, 0}},
        ConfigMessage{ConfigHeartbeatPublicationSet{kGroup, 1, 0x12, 7, 0, 0}},
        ConfigMessage{ConfigHeartbeatPublicationSet{kGroup, 1, 1, 0x80, 0, 0}},
        ConfigMessage{ConfigHeartbeatSubscriptionSet{0xC000, kGroup, 1}},
        ConfigMessage{ConfigHeartbeatSubscriptionSet{0x0001, 0x0003, 1}},
        ConfigMessage{ConfigHeartbeatSubscriptionSet{0x0001, kGroup, 0x12}}}) {
    EXPECT_EQ(client.request(0x0004, 0, m,
                             [&](Error e, Address, const ConfigMessage*) {
                               if (e == Error::kNone) ++statuses;
                             }),
              Error::kNone);
    bus_.run(seconds(2));
  }
  EXPECT_EQ(statuses, 0);
}

}  // namespace
}  // namespace lpm::btmesh
