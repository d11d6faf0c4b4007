// Network layer (Mesh 1.1 §3.4): sample-data PDUs through send/receive/relay, the message
// cache, relay rules, IV Index acceptance, address validity, key refresh and SEQ
// persistence across a reboot.
#include "lpmesh/btmesh/network.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/test_util.hpp"

namespace lpm::btmesh {
namespace {

using test::FakeBearer;
using test::FakePlatform;
using test::hex;
using test::hexOf;

class RecordingUpper final : public NetworkUpper {
 public:
  struct Rx {
    NetworkRx rx;
    Bytes pdu;
  };
  void onNetworkPdu(const NetworkRx& rx) override {
    received.push_back(Rx{rx, Bytes(rx.transport_pdu.begin(), rx.transport_pdu.end())});
  }
  bool isOwnUnicast(Address a) const override { return a >= first && a < first + count; }
  bool listensTo(Address a) const override {
    return std::find(groups.begin(), groups.end(), a) != groups.end() || a == kAllNodes;
  }

  Address first = 0;
  Address count = 0;
  std::vector<Address> groups;
  std::vector<Rx> received;
};

/// One node's network layer over the fake platform with one advertising bearer.
struct NetNode {
  explicit NetNode(Address primary, std::uint8_t elements = 1,
                   std::uint32_t iv_index = test::kSampleIvIndex,
                   test::FakeSettings* settings = nullptr)
      : fp(nullptr, settings), bearer(BearerType::kAdvertising) {
    EXPECT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
    keys.ivIndex().index = iv_index;
    net = std::make_unique<Network>(fp.platform(), config, keys);
    upper.first = primary;
    upper.count = elements;
    net->setUpper(&upper);
    EXPECT_EQ(net->setElements(primary, elements), Error::kNone);
    auto id = net->addInterface(&bearer);
    EXPECT_TRUE(id.ok());
    iface = *id;
  }

  FakePlatform fp;
  NodeConfig config;
  KeyStore keys;
  std::unique_ptr<Network> net;
  RecordingUpper upper;
  FakeBearer bearer;
  InterfaceId iface = 0;
};

// Message #16 (§8.3.16): Config AppKey Status from 0x1201 to 0x0003, TTL 11, SEQ 6.
const char* const kMsg16Transport = "0089511bf1d1a81c11dcef";
const char* const kMsg16Pdu = "68e80e5da5af0e6b9be7f5a642f2f98680e61c3a8b47f228";
// Message #17: the same PDU relayed with TTL 10.
const char* const kMsg17Pdu = "68b2bd2c1e1b6f2a80d381b91f824dd4f0a3cd54cea23b7a";

TEST(BtmeshNetwork, SendReproducesSampleMessage16) {
  NetNode node(0x1201);
  const Bytes transport = hex(kMsg16Transport);
  NetworkTx tx;
  tx.src = 0x1201;
  tx.dst = 0x0003;
  tx.ttl = 0x0b;
  tx.transport_pdu = transport;
  tx.seq = SeqAllocation{6, test::kSampleIvIndex};
  ASSERT_EQ(node.net->send(tx), Error::kNone);
  ASSERT_EQ(node.bearer.sent.size(), 1u);
  EXPECT_EQ(hexOf(node.bearer.sent[0].pdu), kMsg16Pdu);
  EXPECT_FALSE(node.bearer.sent[0].relay);
  EXPECT_EQ(node.bearer.sent[0].transmit, node.config.network_transmit);
}

TEST(BtmeshNetwork, ReceiveDeliversAndRelayMatchesSampleMessage17) {
  // A relay node (0x0100) hears Message #16 and retransmits it as Message #17.
  NetNode relay(0x0100);
  relay.net->receive(relay.iface, hex(kMsg16Pdu), -60);
  ASSERT_EQ(relay.bearer.sent.size(), 1u);
  EXPECT_EQ(hexOf(relay.bearer.sent[0].pdu), kMsg17Pdu);
  EXPECT_TRUE(relay.bearer.sent[0].relay);
  EXPECT_EQ(relay.bearer.sent[0].transmit, relay.config.relay_retransmit);
  EXPECT_EQ(relay.net->stats().relayed, 1u);
  // Not addressed to it: still handed up (lower transport decides), without local match.
  ASSERT_EQ(relay.upper.received.size(), 1u);
  EXPECT_FALSE(relay.upper.received[0].rx.local_match);

  // The destination (0x0003) receives the relayed copy.
  NetNode dst(0x0003);
  dst.net->receive(dst.iface, hex(kMsg17Pdu), -70);
  ASSERT_EQ(dst.upper.received.size(), 1u);
  const auto& r = dst.upper.received[0];
  EXPECT_TRUE(r.rx.local_match);
  EXPECT_EQ(hexOf(r.pdu), kMsg16Transport);
  EXPECT_EQ(r.rx.header.src, 0x1201);
  EXPECT_EQ(r.rx.header.dst, 0x0003);
  EXPECT_EQ(r.rx.header.seq, 6u);
  EXPECT_EQ(r.rx.header.ttl, 10);
  EXPECT_FALSE(r.rx.header.ctl);
  EXPECT_EQ(r.rx.iv_index, test::kSampleIvIndex);
  EXPECT_EQ(r.rx.rssi, -70);
  // A PDU to one of our own elements is never relayed.
  EXPECT_TRUE(dst.bearer.sent.empty());
}

TEST(BtmeshNetwork, CacheDropsDuplicatesWhateverTheTtl) {
  NetNode relay(0x0100);
  relay.net->receive(relay.iface, hex(kMsg16Pdu), -60);
  relay.net->receive(relay.iface, hex(kMsg16Pdu), -60);
  // Same SRC/SEQ/IV at another TTL (and so another NetMIC) is the same PDU.
  relay.net->receive(relay.iface, hex(kMsg17Pdu), -60);
  EXPECT_EQ(relay.upper.received.size(), 1u);
  EXPECT_EQ(relay.bearer.sent.size(), 1u);
  EXPECT_EQ(relay.net->stats().drop_cache, 2u);
  EXPECT_EQ(relay.fp.trace().count("btmesh.net", platform::TraceKind::kDrop, "cache"), 2);
}

TEST(BtmeshNetwork, CacheEvictsOldestEntryWhenFull) {
  NetNode relay(0x0100);
  relay.config.msg_cache_size = 2;
  relay.net = std::make_unique<Network>(relay.fp.platform(), relay.config, relay.keys);
  relay.net->setUpper(&relay.upper);
  ASSERT_EQ(relay.net->setElements(0x0100, 1), Error::kNone);
  relay.iface = *relay.net->addInterface(&relay.bearer);
  const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
  auto pdu = [&](std::uint32_t seq) {
    return *sealNetworkPdu(m, test::kSampleIvIndex, NetworkHeader{false, 5, seq, 0x1234, 0xC001},
                           hex("00112233445566"));
  };
  relay.net->receive(relay.iface, pdu(1), 0);
  relay.net->receive(relay.iface, pdu(2), 0);
  relay.net->receive(relay.iface, pdu(3), 0);  // evicts SEQ 1
  relay.net->receive(relay.iface, pdu(1), 0);  // accepted again
  relay.net->receive(relay.iface, pdu(3), 0);  // still cached
  EXPECT_EQ(relay.upper.received.size(), 4u);
  EXPECT_EQ(relay.net->stats().drop_cache, 1u);
}

TEST(BtmeshNetwork, RelayRulesFollowTtlAndFeature) {
  const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
  auto pdu = [&](std::uint8_t ttl, std::uint32_t seq, Address dst) {
    return *sealNetworkPdu(m, test::kSampleIvIndex, NetworkHeader{false, ttl, seq, 0x1234, dst},
                           hex("00112233445566"));
  };
  NetNode relay(0x0100);
  relay.net->receive(relay.iface, pdu(0, 1, 0xC001), 0);
  relay.net->receive(relay.iface, pdu(1, 2, 0xC001), 0);
  EXPECT_TRUE(relay.bearer.sent.empty()) << "TTL 0 and 1 are never relayed";
  relay.net->receive(relay.iface, pdu(2, 3, 0xC001), 0);
  ASSERT_EQ(relay.bearer.sent.size(), 1u);
  EXPECT_EQ(relay.bearer.sent[0].header.ttl, 1) << "relayed with TTL - 1, tagged relay";
  EXPECT_TRUE(relay.bearer.sent[0].relay);
  relay.net->receive(relay.iface, pdu(127, 4, 0xC001), 0);
  ASSERT_EQ(relay.bearer.sent.size(), 2u);
  EXPECT_EQ(relay.bearer.sent[1].header.ttl, 126);
  // The relayed PDU opens with the same IV Index, SRC, SEQ and DST.
  auto opened = openNetworkPdu(m, test::kSampleIvIndex, relay.bearer.sent[1].pdu);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->header.seq, 4u);
  EXPECT_EQ(opened->header.src, 0x1234);
  EXPECT_EQ(opened->header.dst, 0xC001);

  relay.net->states().relay = FeatureState::kDisabled;
  relay.net->receive(relay.iface, pdu(5, 5, 0xC001), 0);
  EXPECT_EQ(relay.bearer.sent.size(), 2u) << "relay feature disabled";
  EXPECT_EQ(relay.upper.received.size(), 5u);
}

TEST(BtmeshNetwork, ValidityRulesDropBadAddresses) {
  const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
  NetNode node(0x0100);
  // SRC must be unicast (§3.4.3): a group SRC is dropped after authentication.
  node.net->receive(node.iface,
                    *sealNetworkPdu(m, test::kSampleIvIndex,
                                    NetworkHeader{false, 5, 1, 0xC000, 0x0100}, hex("0011223344")),
                    0);
  // DST unassigned.
  node.net->receive(node.iface,
                    *sealNetworkPdu(m, test::kSampleIvIndex,
                                    NetworkHeader{false, 5, 2, 0x0200, 0x0000}, hex("0011223344")),
                    0);
  // Control message to a virtual address.
  node.net->receive(node.iface,
                    *sealNetworkPdu(m, test::kSampleIvIndex,
                                    NetworkHeader{true, 5, 3, 0x0200, 0x8123}, hex("0a0011")),
                    0);
  EXPECT_EQ(node.net->stats().drop_invalid, 3u);
  EXPECT_TRUE(node.upper.received.empty());
  EXPECT_TRUE(node.bearer.sent.empty());
}

TEST(BtmeshNetwork, UnknownNidAndBadMicAreDropped) {
  NetNode node(0x0100);
  Bytes pdu = hex(kMsg16Pdu);
  pdu[0] = static_cast<std::uint8_t>((pdu[0] & 0x80) | ((pdu[0] + 1) & 0x7F));
  node.net->receive(node.iface, pdu, 0);
  EXPECT_EQ(node.net->stats().drop_nid, 1u);
  pdu = hex(kMsg16Pdu);
  pdu.back() ^= 0x01;
  node.net->receive(node.iface, pdu, 0);
  EXPECT_EQ(node.net->stats().drop_auth, 1u);
  node.net->receive(node.iface, hex("68e80e5da5af0e6b9b"), 0);
  EXPECT_EQ(node.net->stats().drop_length, 1u);
  EXPECT_TRUE(node.upper.received.empty());
}

TEST(BtmeshNetwork, IvIndexAcceptanceFollowsIvi) {
  // Message #20 is secured with IV Index 0x12345677 (IVI = 1).
  const Bytes msg20 = hex("e85cca51e2e8998c3dc87344a16c787f6b08cc897c941a5368");
  {
    NetNode node(0x0100, 1, 0x12345677);  // current index
    node.net->receive(node.iface, msg20, 0);
    ASSERT_EQ(node.upper.received.size(), 1u);
    EXPECT_EQ(node.upper.received[0].rx.iv_index, 0x12345677u);
  }
  {
    NetNode node(0x0100, 1, 0x12345678);  // one IV Index later: IVI mismatch -> index - 1
    node.net->receive(node.iface, msg20, 0);
    ASSERT_EQ(node.upper.received.size(), 1u);
    EXPECT_EQ(node.upper.received[0].rx.iv_index, 0x12345677u);
  }
  {
    NetNode node(0x0100, 1, 0x12345679);  // two later: IVI matches the current index
    node.net->receive(node.iface, msg20, 0);
    EXPECT_TRUE(node.upper.received.empty());
    EXPECT_EQ(node.net->stats().drop_auth, 1u);
  }
  {
    NetNode node(0x0100, 1, 0x12345676);  // older node cannot use a future IV Index
    node.net->receive(node.iface, msg20, 0);
    EXPECT_TRUE(node.upper.received.empty());
  }
  {
    // During an IV Update (index 0x12345678 in progress) the node transmits with
    // 0x12345677 and receives both.
    NetNode node(0x0100, 1, 0x12345678);
    node.keys.ivIndex().update_in_progress = true;
    node.net->receive(node.iface, msg20, 0);
    EXPECT_EQ(node.upper.received.size(), 1u);
    auto seq = node.net->allocateSeq(0x0100);
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(seq->iv_index, 0x12345677u);
  }
}

TEST(BtmeshNetwork, OwnSourceIsDroppedAndNotRelayed) {
  NetNode origin(0x1201);
  origin.net->receive(origin.iface, hex(kMsg16Pdu), 0);
  EXPECT_EQ(origin.net->stats().drop_own, 1u);
  EXPECT_TRUE(origin.upper.received.empty());
  EXPECT_TRUE(origin.bearer.sent.empty());
}

TEST(BtmeshNetwork, OwnPduEchoedByARelayIsACacheHit) {
  NetNode node(0x1201);
  NetworkTx tx;
  tx.src = 0x1201;
  tx.dst = 0x0003;
  tx.ttl = 0x0b;
  const Bytes transport = hex(kMsg16Transport);
  tx.transport_pdu = transport;
  tx.seq = SeqAllocation{6, test::kSampleIvIndex};
  ASSERT_EQ(node.net->send(tx), Error::kNone);
  node.net->receive(node.iface, hex(kMsg17Pdu), 0);
  EXPECT_EQ(node.net->stats().drop_cache, 1u);
}

TEST(BtmeshNetwork, LocalInterfaceDeliversToOwnElements) {
  NetNode node(0x0100, 2);
  node.upper.groups = {0xC005};
  const Bytes transport = hex("00112233445566");
  NetworkTx tx;
  tx.src = 0x0100;
  tx.dst = 0x0101;  // second element: local interface only
  tx.ttl = 5;
  tx.transport_pdu = transport;
  ASSERT_EQ(node.net->send(tx), Error::kNone);
  EXPECT_TRUE(node.bearer.sent.empty());
  EXPECT_TRUE(node.upper.received.empty()) << "delivered asynchronously";
  node.fp.timers().advance(Duration{0});
  ASSERT_EQ(node.upper.received.size(), 1u);
  EXPECT_EQ(node.upper.received[0].rx.interface, kLocalInterface);
  EXPECT_EQ(hexOf(node.upper.received[0].pdu), "00112233445566");

  tx.dst = 0xC005;  // a group we listen to: local delivery and the bearer
  ASSERT_EQ(node.net->send(tx), Error::kNone);
  EXPECT_EQ(node.bearer.sent.size(), 1u);
  node.fp.timers().advance(Duration{0});
  EXPECT_EQ(node.upper.received.size(), 2u);
  tx.dst = 0xC006;  // a group we do not listen to: bearer only
  ASSERT_EQ(node.net->send(tx), Error::kNone);
  node.fp.timers().advance(Duration{0});
  EXPECT_EQ(node.upper.received.size(), 2u);
  EXPECT_EQ(node.bearer.sent.size(), 2u);
}

TEST(BtmeshNetwork, SendChecksArgumentsAndOutputFilter) {
  NetNode node(0x0100);
  const Bytes transport = hex("00112233445566");
  NetworkTx tx;
  tx.src = 0x0200;  // not ours
  tx.dst = 0x0300;
  tx.ttl = 5;
  tx.transport_pdu = transport;
  EXPECT_EQ(node.net->send(tx), Error::kInvalidArgs);
  tx.src = 0x0100;
  tx.dst = 0;
  EXPECT_EQ(node.net->send(tx), Error::kInvalidArgs);
  tx.dst = 0x0300;
  tx.net_idx = 7;
  EXPECT_EQ(node.net->send(tx), Error::kNotFound);
  tx.net_idx = 0;
  const Bytes big(17, 0);
  tx.transport_pdu = big;
  EXPECT_EQ(node.net->send(tx), Error::kTooLong);
  tx.transport_pdu = transport;
  tx.ttl = 1;  // §3.4.5.2: TTL 1 leaves only when tagged relay
  EXPECT_EQ(node.net->send(tx), Error::kNone);
  EXPECT_TRUE(node.bearer.sent.empty());
  tx.ttl = 0;
  EXPECT_EQ(node.net->send(tx), Error::kNone);
  EXPECT_EQ(node.bearer.sent.size(), 1u);
  node.bearer.setFull(true);
  tx.ttl = 3;
  EXPECT_EQ(node.net->send(tx), Error::kNoBufs);
}

TEST(BtmeshNetwork, KeyRefreshReceivesBothKeysAndTransmitsPerPhase) {
  const Key new_key = test::key128("0123456789abcdef0123456789abcdef");
  NetNode node(0x0100);
  ASSERT_EQ(node.keys.updateNetKey(0, new_key), Error::kNone);
  const SecurityMaterial old_m = floodingMaterial(test::kSampleNetKey);
  const SecurityMaterial new_m = floodingMaterial(new_key);
  const Bytes t = hex("00112233445566");
  node.net->receive(
      node.iface,
      *sealNetworkPdu(old_m, test::kSampleIvIndex, NetworkHeader{false, 0, 1, 0x0200, 0x0100}, t),
      0);
  node.net->receive(
      node.iface,
      *sealNetworkPdu(new_m, test::kSampleIvIndex, NetworkHeader{false, 0, 2, 0x0200, 0x0100}, t),
      0);
  ASSERT_EQ(node.upper.received.size(), 2u);
  EXPECT_EQ(node.upper.received[0].rx.key_slot, 0);
  EXPECT_EQ(node.upper.received[1].rx.key_slot, 1);

  NetworkTx tx;
  tx.src = 0x0100;
  tx.dst = 0x0300;
  tx.ttl = 3;
  tx.transport_pdu = t;
  ASSERT_EQ(node.net->send(tx), Error::kNone);  // phase 1: old key
  EXPECT_TRUE(openNetworkPdu(old_m, test::kSampleIvIndex, node.bearer.sent.back().pdu).ok());
  ASSERT_EQ(node.keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase2), Error::kNone);
  ASSERT_EQ(node.net->send(tx), Error::kNone);  // phase 2: new key
  EXPECT_TRUE(openNetworkPdu(new_m, test::kSampleIvIndex, node.bearer.sent.back().pdu).ok());
  ASSERT_EQ(node.keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase3), Error::kNone);
  node.net->receive(
      node.iface,
      *sealNetworkPdu(old_m, test::kSampleIvIndex, NetworkHeader{false, 0, 3, 0x0200, 0x0100}, t),
      0);
  EXPECT_EQ(node.upper.received.size(), 2u) << "old key revoked";
}

TEST(BtmeshNetwork, FriendshipCredentialsAreRecognised) {
  // Message #4: Friend Poll under friendship credentials (LPN 0x1201, Friend 0x2345).
  NetNode friend_node(0x2345);
  auto id = friend_node.keys.addFriendship(0, FriendshipParams{0x1201, 0x2345, 0x0000, 0x072f});
  ASSERT_TRUE(id.ok());
  friend_node.net->receive(friend_node.iface, hex("5e84eba092380fb0e5d0ad970d579a4e88051c"), 0);
  ASSERT_EQ(friend_node.upper.received.size(), 1u);
  const auto& r = friend_node.upper.received[0];
  EXPECT_EQ(r.rx.credentials, Credentials::kFriendship);
  EXPECT_EQ(r.rx.friendship_id, *id);
  EXPECT_TRUE(r.rx.header.ctl);
  EXPECT_EQ(hexOf(r.pdu), "0100");
}

TEST(BtmeshNetwork, SeqPersistsAcrossRebootWithoutReuse) {
  test::FakeSettings settings;
  std::uint32_t last = 0;
  {
    NetNode node(0x0100, 2, test::kSampleIvIndex, &settings);
    for (int i = 0; i < 10; ++i)
      last = node.net->allocateSeq(0x0100)->seq;
    EXPECT_EQ(last, 9u);
    EXPECT_EQ(node.net->allocateSeq(0x0101)->seq, 0u) << "SEQ is per element";
  }
  {
    NetNode node(0x0100, 2, test::kSampleIvIndex, &settings);
    const auto next = node.net->allocateSeq(0x0100);
    ASSERT_TRUE(next.ok());
    EXPECT_GT(next->seq, last);
    EXPECT_LE(next->seq, last + node.config.seq_store_block) << "loses at most one block";
    EXPECT_EQ(next->seq, 128u);
    // Cross a block boundary, then reboot again.
    for (int i = 0; i < 200; ++i)
      last = node.net->allocateSeq(0x0100)->seq;
    EXPECT_EQ(node.net->allocateSeq(0x0101)->seq, 128u);
  }
  {
    NetNode node(0x0100, 2, test::kSampleIvIndex, &settings);
    EXPECT_EQ(node.net->allocateSeq(0x0100)->seq, 384u);
    EXPECT_GT(384u, last);
  }
  {
    // A new IV Index starts over at 0 (and persists that).
    NetNode node(0x0100, 2, test::kSampleIvIndex + 1, &settings);
    EXPECT_EQ(node.net->allocateSeq(0x0100)->seq, 0u);
  }
}

TEST(BtmeshNetwork, SeqExhaustionAndLimitAreSignalled) {
  struct Listener : NetworkListener {
    void onSeqLimitReached() override { ++calls; }
    int calls = 0;
  } listener;
  NetNode node(0x0100);
  node.config.iv_update_seq_limit = 3;
  node.net->setListener(&listener);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(node.net->allocateSeq(0x0100).ok());
  EXPECT_EQ(listener.calls, 1);

  test::FakeSettings settings;
  std::array<std::uint8_t, 8> stored{0x12, 0x34, 0x56, 0x78, 0x00, 0xff, 0xff, 0xff};
  ASSERT_EQ(settings.set("btmesh/seq/00", stored), Error::kNone);
  NetNode full(0x0100, 1, test::kSampleIvIndex, &settings);
  auto last = full.net->allocateSeq(0x0100);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->seq, kMaxSeq);
  EXPECT_EQ(full.net->allocateSeq(0x0100).error(), Error::kInvalidState);
}

TEST(BtmeshNetwork, IvIndexStatePersistsAndResetsSeq) {
  test::FakeSettings settings;
  {
    NetNode node(0x0100, 1, 5, &settings);
    for (int i = 0; i < 4; ++i)
      (void)node.net->allocateSeq(0x0100);
    node.net->setIvIndex(6, true);  // IV Update in progress: still transmits with 5
    EXPECT_EQ(node.net->nextSeq(0x0100), 4u);
    node.net->setIvIndex(6, false);  // back to normal: transmits with 6 from SEQ 0
    EXPECT_EQ(node.net->nextSeq(0x0100), 0u);
    EXPECT_EQ(node.net->allocateSeq(0x0100)->iv_index, 6u);
  }
  NetNode rebooted(0x0100, 1, 5, &settings);  // provisioned value older than stored
  EXPECT_EQ(rebooted.keys.ivIndex().index, 6u);
  EXPECT_GE(rebooted.net->allocateSeq(0x0100)->seq, 1u);
}

}  // namespace
}  // namespace lpm::btmesh
