// The simulated BLE controller: advertising events (channel order, advDelay, number of
// events), passive scanning (windows, channel rotation, pause while advertising),
// reports, parameter checks.
#include "lpmesh/sim/ble_controller.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "lpmesh/sim/world.hpp"
#include "tests/sim/world_test_util.hpp"

namespace lpm::sim {
namespace {

using namespace lpm::sim::test;  // NOLINT(google-build-using-namespace)

struct BleWorld {
  explicit BleWorld(int scanners) : w(plainConfig(3)) {
    adv = w.addNode(at(0.0, 0.0, false, true));
    for (int i = 0; i < scanners; ++i)
      scan.push_back(w.addNode(at(10.0, 0.0, false, true)));
    w.finalizeTopology();
    for (NodeId i = 0; i < w.nodeCount(); ++i)
      w.powerOn(i, SimTime{});
    w.runUntil(SimTime{});
    rec.resize(scan.size());
    for (std::size_t i = 0; i < scan.size(); ++i)
      w.platform(scan[i]).ble->setClient(&rec[i]);
    w.platform(adv).ble->setClient(&adv_rec);
  }
  Error scanOn(std::size_t i, std::uint8_t map, Duration interval, Duration window) {
    platform::ScanParams sp;
    sp.channel_map = map;
    sp.interval = interval;
    sp.window = window;
    return w.platform(scan[i]).ble->startScanning(sp);
  }
  World w;
  NodeId adv = 0;
  std::vector<NodeId> scan;
  std::vector<BleRecorder> rec;
  BleRecorder adv_rec;
};

std::vector<std::uint8_t> advData() {
  return {0x02, 0x01, 0x06, 0x03, 0xFF, 0x59, 0x00};
}

TEST(BleController, ReportsAndAdvDelay) {
  BleWorld t(1);
  ASSERT_EQ(t.scanOn(0, 0x01, millis(100), millis(100)), Error::kNone);
  platform::AdvParams ap;
  ap.interval = millis(100);
  ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  EXPECT_TRUE(t.w.platform(t.adv).ble->isAdvertising());
  t.w.runUntil(SimTime{seconds(10)});
  const auto& r = t.rec[0].reports;
  ASSERT_GT(r.size(), 90U);
  ASSERT_LT(r.size(), 101U);
  for (const auto& rep : r) {
    EXPECT_EQ(rep.address, (BleAddress{0xC0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(rep.type, platform::AdvPduType::kAdvNonconnInd);
    EXPECT_EQ(rep.data, advData());
    EXPECT_EQ(rep.rssi, -70);
    EXPECT_EQ(rep.channel, 37);
  }
  // The first event starts at once: its PDU on 37 ends one air time later.
  EXPECT_EQ(r[0].time, LocalTime{platform::airtimeBleAdv(advData().size())});
  // Event spacing = advInterval + advDelay, advDelay uniform in 0..10 ms.
  std::set<std::int64_t> delays;
  double sum = 0.0;
  for (std::size_t i = 1; i < r.size(); ++i) {
    const Duration gap = r[i].time - r[i - 1].time;
    EXPECT_GE(gap, millis(100));
    EXPECT_LE(gap, millis(110));
    delays.insert(gap.count());
    sum += toSeconds(gap - millis(100));
  }
  EXPECT_GT(delays.size(), r.size() / 2);
  EXPECT_NEAR(sum / static_cast<double>(r.size() - 1), 0.005, 0.0012);
}

TEST(BleController, ChannelOrderAndNumEvents) {
  BleWorld t(3);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(t.scanOn(i, static_cast<std::uint8_t>(1U << i), millis(50), millis(50)),
              Error::kNone);
  }
  platform::AdvParams ap;
  ap.interval = millis(20);
  ap.num_events = 2;
  ap.type = platform::AdvPduType::kAdvInd;
  ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  t.w.runUntil(SimTime{millis(200)});
  EXPECT_EQ(t.adv_rec.done, 1);
  EXPECT_FALSE(t.w.platform(t.adv).ble->isAdvertising());
  EXPECT_EQ(t.w.radioStats(t.adv).tx_frames, 6U);
  const Duration air = platform::airtimeBleAdv(advData().size());
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(t.rec[i].reports.size(), 2U) << "scanner " << i;
    EXPECT_EQ(t.rec[i].reports[0].channel, 37 + i);
    EXPECT_EQ(t.rec[i].reports[0].type, platform::AdvPduType::kAdvInd);
    // 37, 38, 39 in order, kBleAdvPduSpacing apart.
    EXPECT_EQ(t.rec[i].reports[0].time,
              LocalTime{air + (air + kBleAdvPduSpacing) * static_cast<std::int64_t>(i)});
  }
}

TEST(BleController, ScanWindowAndRotation) {
  BleWorld t(2);
  // Scanner 0: 10 ms windows every 100 ms on 37 only. Scanner 1: continuous, rotating.
  ASSERT_EQ(t.scanOn(0, 0x01, millis(100), millis(10)), Error::kNone);
  ASSERT_EQ(t.scanOn(1, 0x07, millis(30), millis(30)), Error::kNone);
  platform::AdvParams ap;
  ap.interval = millis(20);
  ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  t.w.runUntil(SimTime{seconds(3)});
  const auto& r0 = t.rec[0].reports;
  ASSERT_GT(r0.size(), 10U);
  for (const auto& rep : r0) {
    // The whole PDU falls inside a window.
    const std::int64_t in_interval = rep.time.time_since_epoch().count() % millis(100).count();
    EXPECT_LE(in_interval, millis(10).count());
    EXPECT_GE(in_interval, platform::airtimeBleAdv(advData().size()).count());
  }
  const auto& r1 = t.rec[1].reports;
  std::set<int> channels;
  for (const auto& rep : r1) {
    channels.insert(rep.channel);
    const std::int64_t interval = rep.time.time_since_epoch().count() / millis(30).count();
    EXPECT_EQ(rep.channel, 37 + interval % 3) << "at " << rep.time.time_since_epoch().count();
  }
  EXPECT_EQ(channels.size(), 3U);
  // Continuous scanning hears nearly every event (one PDU per event on its channel).
  EXPECT_GT(r1.size(), r0.size() * 5);
}

TEST(BleController, ScanningPausesDuringOwnAdvertising) {
  BleWorld t(1);
  const NodeId s = t.scan[0];
  ASSERT_EQ(t.scanOn(0, 0x01, millis(100), millis(100)), Error::kNone);
  Script sc(t.w.kernel());
  sc.at(millis(10), [&] {
    platform::AdvParams ap;
    ap.num_events = 1;
    ASSERT_EQ(t.w.platform(s).ble->startAdvertising(ap, advData()), Error::kNone);
  });
  // A's PDU on 37 while S's own event is on air (S sends on 37 then 38, 39).
  sc.at(millis(10) + micros(100), [&] {
    platform::AdvParams ap;
    ap.num_events = 1;
    ap.channel_map = 0x01;
    ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  });
  sc.at(millis(30), [&] {
    platform::AdvParams ap;
    ap.num_events = 1;
    ap.channel_map = 0x01;
    ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  });
  t.w.runUntil(SimTime{millis(50)});
  ASSERT_EQ(t.rec[0].reports.size(), 1U);  // only the one after S's own event
  EXPECT_EQ(t.rec[0].reports[0].time,
            LocalTime{millis(30) + platform::airtimeBleAdv(advData().size())});
  EXPECT_EQ(t.w.radioStats(s).rx_missed_busy, 1U);
  EXPECT_EQ(t.rec[0].done, 1);
}

TEST(BleController, RestartWithNewDataAndStop) {
  BleWorld t(1);
  ASSERT_EQ(t.scanOn(0, 0x01, millis(100), millis(100)), Error::kNone);
  platform::AdvParams ap;
  ap.interval = millis(50);
  ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, advData()), Error::kNone);
  Script sc(t.w.kernel());
  const std::vector<std::uint8_t> other = {0x09, 0x08, 0x07};
  sc.at(millis(120),
        [&] { ASSERT_EQ(t.w.platform(t.adv).ble->startAdvertising(ap, other), Error::kNone); });
  sc.at(millis(300), [&] { t.w.platform(t.adv).ble->stopAdvertising(); });
  t.w.runUntil(SimTime{millis(500)});
  const auto& r = t.rec[0].reports;
  ASSERT_GE(r.size(), 5U);
  EXPECT_EQ(r[0].data, advData());
  EXPECT_EQ(r.back().data, other);
  // The restart begins a new event at once.
  const auto it = std::find_if(r.begin(), r.end(), [&](const auto& x) { return x.data == other; });
  ASSERT_NE(it, r.end());
  EXPECT_EQ(it->time, LocalTime{millis(120) + platform::airtimeBleAdv(other.size())});
  EXPECT_LE(r.back().time, LocalTime{millis(300)});
  EXPECT_FALSE(t.w.platform(t.adv).ble->isAdvertising());
  EXPECT_EQ(t.adv_rec.done, 0);  // stopped, not finished
}

TEST(BleController, RejectsBadParameters) {
  BleWorld t(0);
  platform::BleController& c = *t.w.platform(t.adv).ble;
  platform::AdvParams ap;
  EXPECT_EQ(c.startAdvertising(ap, std::vector<std::uint8_t>(32, 0)), Error::kInvalidArgs);
  ap.channel_map = 0;
  EXPECT_EQ(c.startAdvertising(ap, advData()), Error::kInvalidArgs);
  ap.channel_map = 0x07;
  ap.interval = millis(19);
  EXPECT_EQ(c.startAdvertising(ap, advData()), Error::kInvalidArgs);
  ap.interval = millis(100);
  ap.type = platform::AdvPduType::kScanReq;
  EXPECT_EQ(c.startAdvertising(ap, advData()), Error::kUnsupported);
  EXPECT_FALSE(c.isAdvertising());
  platform::ScanParams sp;
  sp.window = millis(40);
  sp.interval = millis(30);
  EXPECT_EQ(c.startScanning(sp), Error::kInvalidArgs);
  sp.window = micros(2000);
  EXPECT_EQ(c.startScanning(sp), Error::kInvalidArgs);
  sp.window = millis(10);
  sp.channel_map = 0;
  EXPECT_EQ(c.startScanning(sp), Error::kInvalidArgs);
}

TEST(BleController, DriftingAdvertiserIntervalsInItsOwnTime) {
  // A +100 ppm advertiser measures its interval on its own clock: in true time the
  // events come 100 ppm sooner (minimum spacing 100 ms * (1 - 1e-4)).
  World w(plainConfig(4));
  NodeConfig a = at(0.0, 0.0, false, true);
  a.drift_ppm = 100.0;
  const NodeId adv = w.addNode(a);
  const NodeId scan = w.addNode(at(10.0, 0.0, false, true));
  w.finalizeTopology();
  w.powerOn(adv, SimTime{});
  w.powerOn(scan, SimTime{});
  w.runUntil(SimTime{});
  BleRecorder rec;
  w.platform(scan).ble->setClient(&rec);
  platform::ScanParams sp;
  sp.channel_map = 0x01;
  sp.interval = millis(100);
  sp.window = millis(100);
  ASSERT_EQ(w.platform(scan).ble->startScanning(sp), Error::kNone);
  platform::AdvParams ap;
  ap.interval = millis(100);
  ap.channel_map = 0x01;
  ASSERT_EQ(w.platform(adv).ble->startAdvertising(ap, advData()), Error::kNone);
  w.runUntil(SimTime{seconds(20)});
  ASSERT_GT(rec.reports.size(), 150U);
  Duration min_gap = seconds(1);
  for (std::size_t i = 1; i < rec.reports.size(); ++i) {
    min_gap = std::min(min_gap, rec.reports[i].time - rec.reports[i - 1].time);
  }
  EXPECT_LT(min_gap, millis(100));
  EXPECT_GE(min_gap, millis(100) - micros(11));
}

}  // namespace
}  // namespace lpm::sim
