// Beacon formats against the §8.4 sample data (beacons.json), and the beacon behaviour of
// one node (interval from observed beacons, Beacon state, private beacons, reception).
#include "lpmesh/btmesh/beacon.hpp"

#include <gtest/gtest.h>

#include <set>

#include "lpmesh/btmesh/iv_update.hpp"
#include "lpmesh/btmesh/key_refresh.hpp"
#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/test_util.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;
using test::hexOf;

std::uint32_t u32Of(const nlohmann::json& j) {
  std::uint32_t v = 0;
  for (std::uint8_t b : test::hexField(j))
    v = (v << 8) | b;
  return v;
}

std::vector<nlohmann::json> vectors() {
  return test::vectorList(test::loadVectorFile("btmesh/beacons.json"));
}

TEST(BtmeshBeaconFormat, SecureNetworkBeaconsOfTheSampleData) {
  int checked = 0;
  for (const auto& v : vectors()) {
    if (std::string(v["name"]).rfind("Secure Network", 0) != 0) continue;
    const Key net_key = test::key128(std::string(v["inputs"]["NetKey"]));
    const std::uint8_t flags = test::hexField(v["inputs"]["Flags"])[0];
    const std::uint32_t iv = u32Of(v["inputs"]["IVIndex"]);
    EXPECT_EQ(hexOf(beaconKey(net_key)), std::string(v["expected"]["BeaconKey"]));
    const auto b = SecureNetworkBeacon::create(beaconKey(net_key), networkId(net_key),
                                               BeaconFlags::decode(flags), iv);
    EXPECT_EQ(hexOf(b.encode()), std::string(v["expected"]["beacon"])) << v["name"];
    auto parsed = SecureNetworkBeacon::parse(test::hexField(v["expected"]["beacon"]));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, b);
    EXPECT_TRUE(parsed->authenticate(beaconKey(net_key)));
    EXPECT_FALSE(parsed->authenticate(beaconKey(test::kSampleAppKey)));
    EXPECT_EQ(parsed->beaconFlags().iv_update, (flags & 2) != 0);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(BtmeshBeaconFormat, MeshPrivateBeaconOfTheSampleData) {
  int checked = 0;
  for (const auto& v : vectors()) {
    if (std::string(v["name"]).rfind("Mesh Private", 0) != 0) continue;
    const Key net_key = test::key128(std::string(v["inputs"]["NetKey"]));
    const Key pbk = privateBeaconKey(net_key);
    EXPECT_EQ(hexOf(pbk), std::string(v["expected"]["PrivateBeaconKey"]));
    MeshPrivateBeacon::Random random{};
    const Bytes r = test::hexField(v["inputs"]["Random"]);
    std::copy(r.begin(), r.end(), random.begin());
    const PrivateBeaconData data{test::hexField(v["inputs"]["Flags"])[0],
                                 u32Of(v["inputs"]["IVIndex"])};
    const auto b = MeshPrivateBeacon::create(pbk, random, data);
    EXPECT_EQ(hexOf(b.obfuscated_data),
              std::string(v["expected"]["obfuscated_private_beacon_data"]));
    EXPECT_EQ(hexOf(b.auth_tag), std::string(v["expected"]["authentication_tag"]));
    const Bytes ad = test::hexField(v["expected"]["ad_structure"]);
    // AD structure: length, type 0x2B (Mesh Beacon), beacon.
    ASSERT_EQ(ad.size(), 2 + MeshPrivateBeacon::kSize);
    EXPECT_EQ(ad[1], 0x2B);
    EXPECT_EQ(hexOf(b.encode()), hexOf(ByteSpan(ad).subspan(2)));
    auto parsed = MeshPrivateBeacon::parse(ByteSpan(ad).subspan(2));
    ASSERT_TRUE(parsed.ok());
    auto opened = parsed->open(pbk);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, data);
    EXPECT_EQ(parsed->open(privateBeaconKey(test::kSampleNetKey)).error(), Error::kAuthFailed);
    auto tampered = *parsed;
    tampered.obfuscated_data[0] ^= 1;
    EXPECT_EQ(tampered.open(pbk).error(), Error::kAuthFailed);
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

TEST(BtmeshBeaconFormat, UnprovisionedDeviceBeacons) {
  int checked = 0;
  for (const auto& v : vectors()) {
    if (std::string(v["name"]).rfind("Unprovisioned", 0) != 0) continue;
    const Bytes expected = test::hexField(v["expected"]["beacon"]);
    auto b = UnprovisionedDeviceBeacon::parse(expected);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(hexOf(b->uuid), std::string(v["inputs"]["DeviceUUID"]));
    EXPECT_EQ(b->oob_info, u32Of(v["inputs"]["OOBInformation"]));
    if (v["inputs"].contains("URIData")) {
      ASSERT_TRUE(b->uri_hash.has_value());
      EXPECT_EQ(*b->uri_hash,
                UnprovisionedDeviceBeacon::uriHash(test::hexField(v["inputs"]["URIData"])));
    } else {
      EXPECT_FALSE(b->uri_hash.has_value());
    }
    EXPECT_EQ(b->encode(), expected);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(BtmeshBeaconFormat, BadBeaconsAreRejected) {
  EXPECT_EQ(beaconType({}).error(), Error::kTruncated);
  EXPECT_EQ(beaconType(hex("03")).error(), Error::kUnsupported);
  const Bytes snb = hex("01003ecaff672f673370123456788ea261582f364f6f");
  EXPECT_EQ(SecureNetworkBeacon::parse(ByteSpan(snb).first(21)).error(), Error::kTruncated);
  Bytes longer = snb;
  longer.push_back(0);
  EXPECT_EQ(SecureNetworkBeacon::parse(longer).error(), Error::kTrailing);
  Bytes wrong_type = snb;
  wrong_type[0] = 2;
  EXPECT_EQ(SecureNetworkBeacon::parse(wrong_type).error(), Error::kMalformed);
  EXPECT_EQ(MeshPrivateBeacon::parse(snb).error(), Error::kMalformed);
  EXPECT_EQ(MeshPrivateBeacon::parse(hex("02")).error(), Error::kTruncated);
  EXPECT_EQ(
      UnprovisionedDeviceBeacon::parse(hex("0070cf7c9732a345b691494810d2e9cbf4a040aa")).error(),
      Error::kTrailing);
}

// --- behaviour -----------------------------------------------------------------------------

class RecordingBeaconBearer final : public BeaconBearer {
 public:
  explicit RecordingBeaconBearer(const platform::Timers& clock) : clock_(clock) {}
  Error sendBeacon(ByteSpan beacon) override {
    if (full) return Error::kNoBufs;
    sent.emplace_back(clock_.now(), Bytes(beacon.begin(), beacon.end()));
    return Error::kNone;
  }
  std::vector<std::pair<LocalTime, Bytes>> sent;
  bool full = false;

 private:
  const platform::Timers& clock_;
};

struct BeaconFixture : ::testing::Test {
  BeaconFixture() : bearer(fp.timers()) {
    EXPECT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
    keys.ivIndex().index = 0x12345678;
    beacons.setBearer(&bearer);
  }
  std::size_t countSecure() const {
    std::size_t n = 0;
    for (const auto& [t, b] : bearer.sent)
      n += b[0] == 0x01 ? 1U : 0U;
    return n;
  }

  test::FakePlatform fp;
  KeyStore keys;
  Beacons beacons{fp.platform(), keys};
  RecordingBeaconBearer bearer;
};

TEST_F(BeaconFixture, SendsEveryTenSecondsWhenNothingIsObserved) {
  beacons.start();
  fp.timers().advance(seconds(100));
  // First beacon within the first 10 s, then one every 10 s.
  EXPECT_GE(countSecure(), 9U);
  EXPECT_LE(countSecure(), 10U);
  ASSERT_FALSE(bearer.sent.empty());
  EXPECT_EQ(hexOf(bearer.sent[0].second), "01003ecaff672f673370123456788ea261582f364f6f");
  for (std::size_t i = 1; i < bearer.sent.size(); ++i)
    EXPECT_EQ(bearer.sent[i].first - bearer.sent[i - 1].first, seconds(10));
  EXPECT_EQ(beacons.beaconInterval(0), seconds(10));
}

TEST_F(BeaconFixture, ObservedBeaconsStretchTheInterval) {
  beacons.start();
  const Bytes other = SecureNetworkBeacon::create(beaconKey(test::kSampleNetKey),
                                                  networkId(test::kSampleNetKey), {}, 0x12345678)
                          .encode();
  // Five neighbours' beacons per 20 s observation period: interval = 20 * 6 / 2 = 60 s.
  for (int period = 0; period < 10; ++period) {
    for (int i = 0; i < 5; ++i) {
      beacons.receive(other);
      fp.timers().advance(seconds(4));
    }
  }
  EXPECT_EQ(beacons.observedBeacons(0), 5U);
  EXPECT_EQ(beacons.beaconInterval(0), seconds(60));
  const std::size_t before = countSecure();
  for (int period = 0; period < 6; ++period) {
    for (int i = 0; i < 5; ++i) {
      beacons.receive(other);
      fp.timers().advance(seconds(4));
    }
  }
  // 120 s at one beacon per 60 s.
  EXPECT_EQ(countSecure() - before, 2U);
  EXPECT_EQ(beacons.stats().rx_secure, 80U);

  // Hundreds of neighbours: capped at 600 s.
  for (int i = 0; i < 1000; ++i)
    beacons.receive(other);
  fp.timers().advance(seconds(20));
  EXPECT_EQ(beacons.beaconInterval(0), seconds(600));
}

TEST_F(BeaconFixture, BeaconStateOffStopsSecureBeaconsButNotPrivateOnes) {
  beacons.setSecureBeaconEnabled(false);
  beacons.setPrivateBeacon(true, 0);
  beacons.start();
  fp.timers().advance(seconds(35));
  EXPECT_EQ(countSecure(), 0U);
  ASSERT_GE(bearer.sent.size(), 3U);
  std::set<Bytes> randoms;
  for (const auto& [t, b] : bearer.sent) {
    ASSERT_EQ(b[0], 0x02);
    auto p = MeshPrivateBeacon::parse(b);
    ASSERT_TRUE(p.ok());
    auto data = p->open(privateBeaconKey(test::kSampleNetKey));
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data->iv_index, 0x12345678U);
    randoms.insert(Bytes(p->random.begin(), p->random.end()));
  }
  // Random Update Interval Steps 0: a new Random for every beacon.
  EXPECT_EQ(randoms.size(), bearer.sent.size());
}

TEST_F(BeaconFixture, UnknownAndForgedBeaconsAreDropped) {
  beacons.receive(SecureNetworkBeacon::create(beaconKey(test::kSampleAppKey),
                                              networkId(test::kSampleAppKey), {}, 1)
                      .encode());
  auto forged = SecureNetworkBeacon::create(beaconKey(test::kSampleNetKey),
                                            networkId(test::kSampleNetKey), {}, 0x12345679);
  forged.iv_index += 1;  // authentication no longer matches
  beacons.receive(forged.encode());
  beacons.receive(hex("01"));
  beacons.receive(hex("07aa"));
  EXPECT_EQ(beacons.stats().drop_unknown_network, 2U);
  EXPECT_EQ(beacons.stats().drop_malformed, 2U);
  EXPECT_EQ(beacons.stats().rx_secure, 0U);
}

TEST_F(BeaconFixture, BeaconsFollowTheKeyRefreshPhase) {
  const Key new_key = test::key128("f7a2a44f8e8a8029064f173ddc1e2b00");
  ASSERT_EQ(keys.updateNetKey(0, new_key), Error::kNone);
  beacons.start();
  ASSERT_EQ(beacons.sendNow(0), Error::kNone);
  auto phase1 = SecureNetworkBeacon::parse(bearer.sent.back().second);
  ASSERT_TRUE(phase1.ok());
  // Phase 1: old key, KR flag clear.
  EXPECT_EQ(phase1->network_id, networkId(test::kSampleNetKey));
  EXPECT_FALSE(phase1->beaconFlags().key_refresh);
  ASSERT_EQ(keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase2), Error::kNone);
  ASSERT_EQ(beacons.sendNow(0), Error::kNone);
  auto phase2 = SecureNetworkBeacon::parse(bearer.sent.back().second);
  ASSERT_TRUE(phase2.ok());
  // Phase 2: new key, KR flag set.
  EXPECT_EQ(phase2->network_id, networkId(new_key));
  EXPECT_TRUE(phase2->beaconFlags().key_refresh);
  EXPECT_TRUE(phase2->authenticate(beaconKey(new_key)));
  EXPECT_EQ(beacons.sendNow(7), Error::kNotFound);
}

TEST_F(BeaconFixture, FullBearerIsCounted) {
  bearer.full = true;
  beacons.start();
  fp.timers().advance(seconds(11));
  EXPECT_GE(beacons.stats().tx_no_bufs, 1U);
  EXPECT_EQ(beacons.stats().tx_secure, 0U);
}

}  // namespace
}  // namespace lpm::btmesh
