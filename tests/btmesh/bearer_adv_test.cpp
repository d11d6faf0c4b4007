// Advertising bearer (Mesh 1.1 §3.3.1, §3.4.5.4) over a fake BLE controller: AD framing,
// transmissions per Network Transmit / Relay Retransmit, the shared bounded queue, scanning
// parameters and reception of Mesh Message and Mesh Beacon AD structures.
#include "lpmesh/btmesh/bearer_adv.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "lpmesh/btmesh/node.hpp"
#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/test_util.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;
using test::hexOf;

const char* const kMsg16Pdu = "68e80e5da5af0e6b9be7f5a642f2f98680e61c3a8b47f228";

struct BleNode {
  explicit BleNode(Address address, NodeConfig config = {}) : ble(&fp.timers()) {
    platform = fp.platform();
    platform.ble = &ble;
    NodeProvisioning p;
    p.primary_address = address;
    p.iv_index = test::kSampleIvIndex;
    p.net_keys.push_back({0, test::kSampleNetKey});
    node = std::make_unique<Node>(platform, config, p);
    node->start();
  }
  test::FakePlatform fp;
  test::FakeBleController ble;
  platform::Platform platform{};
  std::unique_ptr<Node> node;
};

TEST(BtmeshAdvBearer, NodeScansAndAdvertisesMeshMessages) {
  NodeConfig cfg;
  cfg.scan_interval = millis(100);
  cfg.scan_window = millis(80);
  BleNode n(0x1201, cfg);
  ASSERT_NE(n.node->advertisingBearer(), nullptr);
  EXPECT_TRUE(n.ble.scanning);
  EXPECT_EQ(n.ble.scan.interval, millis(100));
  EXPECT_EQ(n.ble.scan.window, millis(80));

  // Message #16 from 0x1201 (SEQ 6 given explicitly).
  const Bytes transport = hex("0089511bf1d1a81c11dcef");
  NetworkTx tx;
  tx.src = 0x1201;
  tx.dst = 0x0003;
  tx.ttl = 0x0b;
  tx.transport_pdu = transport;
  tx.seq = SeqAllocation{6, test::kSampleIvIndex};
  ASSERT_EQ(n.node->network().send(tx), Error::kNone);
  ASSERT_EQ(n.ble.adverts.size(), 1u);
  const auto& adv = n.ble.adverts[0];
  // Length (1 + 24) | «Mesh Message» | Network PDU.
  EXPECT_EQ(hexOf(adv.data), std::string("192a") + kMsg16Pdu);
  EXPECT_EQ(adv.params.type, platform::AdvPduType::kAdvNonconnInd);
  EXPECT_EQ(adv.params.num_events, 3) << "Network Transmit count 2: three transmissions";
  EXPECT_EQ(adv.params.interval, millis(20));
  EXPECT_EQ(adv.params.channel_map, 0x07);
}

TEST(BtmeshAdvBearer, OriginatedAndRelayedPdusShareABoundedQueue) {
  NodeConfig cfg;
  cfg.adv_buffer_count = 2;
  cfg.relay_retransmit = TransmitState{1, 4};  // 2 transmissions, 50 ms apart
  BleNode n(0x0100, cfg);
  AdvertisingBearer& bearer = *n.node->advertisingBearer();
  const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
  auto relayable = [&](std::uint32_t seq) {
    Bytes ad = {0, kAdTypeMeshMessage};
    const Bytes pdu =
        *sealNetworkPdu(m, test::kSampleIvIndex, NetworkHeader{false, 5, seq, 0x0200, 0xC001},
                        hex("00112233445566"));
    ad.insert(ad.end(), pdu.begin(), pdu.end());
    ad[0] = static_cast<std::uint8_t>(pdu.size() + 1);
    return ad;
  };
  n.ble.hear(relayable(1));  // relayed at once: advertising
  ASSERT_EQ(n.ble.adverts.size(), 1u);
  EXPECT_EQ(n.ble.adverts[0].params.num_events, 2);
  EXPECT_EQ(n.ble.adverts[0].params.interval, millis(50));
  n.ble.hear(relayable(2));  // queued
  n.ble.hear(relayable(3));  // queued
  n.ble.hear(relayable(4));  // no buffer left
  EXPECT_EQ(bearer.queueLength(), 2u);
  EXPECT_EQ(bearer.stats().dropped_full, 1u);
  EXPECT_EQ(n.fp.trace().count("btmesh.adv", platform::TraceKind::kDrop, "adv_buffers_full"), 1);
  EXPECT_EQ(n.node->network().stats().tx_no_bufs, 1u);
  EXPECT_EQ(n.node->network().stats().relayed, 3u);

  n.ble.finishAdvertising();
  ASSERT_EQ(n.ble.adverts.size(), 2u);
  n.ble.finishAdvertising();
  n.ble.finishAdvertising();
  EXPECT_EQ(n.ble.adverts.size(), 3u);
  EXPECT_EQ(bearer.queueLength(), 0u);
  EXPECT_EQ(bearer.stats().sent, 3u);
}

TEST(BtmeshAdvBearer, ReceivesMeshMessagesAndBeacons) {
  struct Beacons final : AdvBearerListener {
    void onMeshBeacon(ByteSpan b, std::int8_t rssi) override {
      got.emplace_back(b.begin(), b.end());
      last_rssi = rssi;
    }
    std::vector<Bytes> got;
    std::int8_t last_rssi = 0;
  } beacons;
  BleNode n(0x0003);
  n.node->advertisingBearer()->setListener(&beacons);
  // A Flags AD first (ignored), then the Mesh Message.
  Bytes adv = hex("020106");
  const Bytes pdu = hex(kMsg16Pdu);
  adv.push_back(static_cast<std::uint8_t>(pdu.size() + 1));
  adv.push_back(kAdTypeMeshMessage);
  adv.insert(adv.end(), pdu.begin(), pdu.end());
  n.ble.hear(adv, -71);
  EXPECT_EQ(n.node->network().stats().rx_accepted, 1u);
  EXPECT_EQ(n.node->advertisingBearer()->stats().rx_messages, 1u);

  n.ble.hear(hex("172b01"
                 "00"
                 "3ecaff672f673370"
                 "12345678"
                 "8ea261582f364f6f"),
             -80);
  ASSERT_EQ(beacons.got.size(), 1u);
  EXPECT_EQ(beacons.got[0].size(), 22u);
  EXPECT_EQ(beacons.last_rssi, -80);

  n.ble.hear(hex("1e2a0102"));  // length past the end of the AdvData
  EXPECT_EQ(n.node->advertisingBearer()->stats().rx_malformed, 1u);
  EXPECT_EQ(n.node->network().stats().rx, 1u);
}

}  // namespace
}  // namespace lpm::btmesh
