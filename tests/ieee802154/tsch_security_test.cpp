// TSCH link-layer security (RFC 8180 §4.6): a secured network (K1 EBs, K2 data and
// ACKs), forged EBs against a node in K1 mode, and the no-key joining mode with
// secExempt installed and cleared by the time source.
#include <gtest/gtest.h>

#include "tests/ieee802154/tsch_harness.hpp"

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;
using test::unitDiskWorld;

TschConfig securedCoordinator() {
  TschConfig c;
  c.coordinator = true;
  c.slotframe_length = 11;
  c.eb_period = seconds(2);
  c.security.enabled = true;
  return c;
}

TschConfig securedNode(JoinKeyMode mode) {
  TschConfig c = securedCoordinator();
  c.coordinator = false;
  c.num_neighbours_to_wait = 1;
  c.security.join_mode = mode;
  return c;
}

TEST(TschSecurity, SecuredNetworkExchangesData) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, securedCoordinator());
  TschTrafficConfig traffic;
  traffic.period = seconds(2);
  traffic.destination = h.eui(coord);
  h.setup(node, securedNode(JoinKeyMode::kK1K2), std::nullopt, traffic);
  h.powerAll();
  h.run(seconds(120));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  EXPECT_GT(h.done_ok[node], 40);
  EXPECT_EQ(h.done_failed[node], 0);
  EXPECT_EQ(h.mac(node).stats().drop_security, 0U);
  EXPECT_EQ(h.mac(coord).stats().drop_security, 0U);
}

TEST(TschSecurity, DataWithAnotherK2IsDropped) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, securedCoordinator());
  TschConfig nc = securedNode(JoinKeyMode::kK1K2);
  nc.security.k2[0] ^= 0x01;
  TschTrafficConfig traffic;
  traffic.period = seconds(2);
  traffic.destination = h.eui(coord);
  h.setup(node, nc, std::nullopt, traffic);
  h.powerAll();
  h.run(seconds(120));
  ASSERT_TRUE(h.mac(node).isSynchronized());  // K1 is right: EBs verify
  EXPECT_EQ(h.done_ok[node], 0);
  EXPECT_GT(h.done_failed[node], 5);
  EXPECT_EQ(h.distinctReceived(coord, node), 0U);
  EXPECT_GT(h.mac(coord).stats().drop_security, 20U);
}

TEST(TschSecurity, ForgedEbsNeverSynchroniseANodeInK1Mode) {
  TschHarness h(unitDiskWorld(3, 50.0));
  // The real coordinator is out of range; a forger with another K1 is next to the node.
  const NodeId real = h.add(0, 0);
  const NodeId forger = h.add(200, 0);
  const NodeId victim = h.add(210, 0);
  const NodeId control = h.add(205, 5);
  h.setup(real, securedCoordinator());
  TschConfig fc = securedCoordinator();
  fc.security.k1 = crypto::Key128{0x0b, 0xad, 0x0b, 0xad};
  fc.eb_period = seconds(1);
  h.setup(forger, fc);
  h.setup(victim, securedNode(JoinKeyMode::kK1Only));
  // The same node without keys accepts the forger's EBs (RFC 8180 §8).
  TschConfig cc = securedNode(JoinKeyMode::kNone);
  cc.eb_period = Duration{0};
  h.setup(control, cc);
  h.powerAll();
  h.run(seconds(600));
  EXPECT_EQ(h.mac(victim).state(), TschState::kScanning);
  EXPECT_EQ(h.synced[victim], 0);
  EXPECT_FALSE(h.time_to_sync[victim].has_value());
  EXPECT_GT(h.mac(victim).stats().drop_security, 20U);
  EXPECT_EQ(h.mac(victim).stats().eb_rx, 0U);
  EXPECT_TRUE(h.mac(control).isSynchronized());
  EXPECT_EQ(h.mac(control).timeSource(), h.eui(forger));
}

TEST(TschSecurity, NoKeyNodeJoinsUnderSecExemptAndIsRefusedOnceItIsCleared) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId pledge = h.add(10, 0);
  h.setup(coord, securedCoordinator());
  TschConfig pc = securedNode(JoinKeyMode::kNone);
  pc.eb_period = Duration{0};
  h.setup(pledge, pc);
  h.powerAll();

  std::vector<Error> sent;
  auto sendOne = [&](std::uint8_t counter) {
    Bytes payload(8, 0);
    payload[0] = static_cast<std::uint8_t>(pledge);
    payload[4] = counter;
    sent.push_back(h.mac(pledge).send(h.eui(coord), payload).error());
  };
  // The time source installs secExempt for the pledge (RFC 8180 §4.6).
  h.at(seconds(1),
       [&] { ASSERT_EQ(h.mac(coord).security().addExempt(h.eui(pledge)), Error::kNone); });
  std::optional<bool> synced_at_60;
  h.at(seconds(60), [&] {
    synced_at_60 = h.mac(pledge).isSynchronized();
    sendOne(1);
  });
  h.at(seconds(70), [&] { sendOne(2); });
  // Key distribution done: the exemption is cleared; the pledge still has no keys.
  h.at(seconds(80), [&] { h.mac(coord).security().clearExempt(h.eui(pledge)); });
  h.at(seconds(90), [&] { sendOne(3); });
  // Keys installed in the pledge: secured frames are accepted again.
  h.at(seconds(150), [&] {
    ASSERT_EQ(h.mac(pledge).installKeys(kDefaultK1, kDefaultK2), Error::kNone);
    sendOne(4);
  });
  h.run(seconds(200));

  EXPECT_EQ(synced_at_60, true);
  EXPECT_EQ(sent, (std::vector<Error>(4, Error::kNone)));
  const auto& got = h.received[{coord, pledge}];
  EXPECT_EQ(got.count(1), 1U);
  EXPECT_EQ(got.count(2), 1U);
  EXPECT_EQ(got.count(3), 0U);  // refused: unsecured and no longer exempt
  EXPECT_EQ(got.count(4), 1U);
  EXPECT_EQ(h.done_ok[pledge], 3);
  EXPECT_EQ(h.done_failed[pledge], 1);
  // Attempts the coordinator heard (some meet its own EBs in the shared cell).
  EXPECT_GE(h.mac(coord).stats().drop_security, 2U);
  EXPECT_TRUE(h.mac(pledge).isSynchronized());
}

}  // namespace
}  // namespace lpm::ieee802154
