// World: node lifecycle (power, reboot), drifting clocks, trace/log, propagation and
// neighbour tables, determinism of whole runs, and Wireshark's reading of the captures.
#include "lpmesh/sim/world.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "lpmesh/sim/clock.hpp"
#include "lpmesh/sim/propagation.hpp"
#include "tests/sim/world_test_util.hpp"

namespace lpm::sim {
namespace {

using namespace lpm::sim::test;  // NOLINT(google-build-using-namespace)

// --- reboot and power ------------------------------------------------------------------

struct Lifecycle {
  int instances = 0;
  std::vector<int> boots_seen;            // boot counter read from settings at start
  std::vector<LocalTime> local_at_start;  // the node's clock at start()
  std::vector<int> timer_fired_by;        // instance number whose timer fired
  int destroyed = 0;
};

class LifecycleStack final : public platform::Stack {
 public:
  LifecycleStack(platform::Platform& p, Lifecycle& l) : p_(p), l_(l), instance_(++l.instances) {}
  ~LifecycleStack() override { ++l_.destroyed; }
  void start() override {
    int boots = 0;
    if (auto v = p_.settings->get("test/boots"); v.ok()) boots = (*v)[0];
    ++boots;
    const std::uint8_t b = static_cast<std::uint8_t>(boots);
    EXPECT_EQ(p_.settings->set("test/boots", ByteSpan(&b, 1)), Error::kNone);
    l_.boots_seen.push_back(boots);
    l_.local_at_start.push_back(p_.timers->now());
    volatile_state_ = boots;
    p_.timers->start(timer_, millis(10));
    platform::trace(p_.trace, "test", platform::TraceKind::kState, "started");
    p_.log->write(platform::LogLevel::kWarn, "test", "started");
  }
  int volatileState() const { return volatile_state_; }

 private:
  void onTimer() {
    l_.timer_fired_by.push_back(instance_);
    platform::trace(p_.trace, "test", platform::TraceKind::kCounter, "timer", 5);
  }
  platform::Platform& p_;
  Lifecycle& l_;
  int instance_;
  int volatile_state_ = 0;
  platform::Timer timer_{this, &platform::Timer::thunk<&LifecycleStack::onTimer>};
};

TEST(World, RebootKeepsSettingsAndLosesStackState) {
  World w(plainConfig());
  const NodeId n = w.addNode(at(0.0));
  w.finalizeTopology();
  Lifecycle l;
  w.setStackFactory(n, [&](platform::Platform& p) {
    std::vector<std::unique_ptr<platform::Stack>> v;
    v.push_back(std::make_unique<LifecycleStack>(p, l));
    return v;
  });
  w.powerOn(n, SimTime{millis(1)});
  w.reboot(n, SimTime{millis(5)});  // before the first instance's timer (11 ms)
  w.runUntil(SimTime{millis(30)});
  EXPECT_EQ(l.instances, 2);
  EXPECT_EQ(l.destroyed, 1);
  EXPECT_EQ(l.boots_seen, (std::vector<int>{1, 2}));  // settings survived
  // The node's clock restarts at every power-up.
  EXPECT_EQ(l.local_at_start, (std::vector<LocalTime>{LocalTime{}, LocalTime{}}));
  // The first instance's timer was stopped with it; only the second one's fired.
  EXPECT_EQ(l.timer_fired_by, (std::vector<int>{2}));
  EXPECT_EQ(w.localTime(n), LocalTime{millis(25)});
  // Trace counters survive reboots and are sorted by (layer, kind, reason).
  const auto& tc = w.traceCounters(n);
  ASSERT_EQ(tc.size(), 2U);
  EXPECT_EQ(tc[0].kind, platform::TraceKind::kState);
  EXPECT_EQ(tc[0].events, 2U);
  EXPECT_EQ(tc[1].reason, "timer");
  EXPECT_EQ(tc[1].sum, 5);
  ASSERT_EQ(w.logRecords().size(), 2U);
  EXPECT_EQ(w.logRecords()[1].time, SimTime{millis(5)});
  EXPECT_EQ(w.logRecords()[1].message, "started");

  // Power off: stack destroyed, timers stopped, radio off; power on: a third instance.
  w.powerOff(n, SimTime{millis(40)});
  w.runUntil(SimTime{millis(60)});
  EXPECT_FALSE(w.isPowered(n));
  EXPECT_EQ(l.destroyed, 2);
  // A radio of a node that is off refuses work.
  const auto f = dataFrame(1, 1, 10);
  EXPECT_EQ(w.platform(n).radio802154->transmit(txOn(11, f)), Error::kInvalidState);
  EXPECT_EQ(w.platform(n).radio802154->receive(11), Error::kInvalidState);
  EXPECT_EQ(w.radioStats(n).time_in_state[static_cast<std::size_t>(RadioState::kOff)],
            millis(1) + millis(20));
  w.powerOn(n, SimTime{millis(70)});
  w.runUntil(SimTime{millis(100)});
  EXPECT_EQ(l.boots_seen, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(l.timer_fired_by, (std::vector<int>{2, 3}));
}

TEST(World, RebootDuringTransmissionAbortsIt) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  w.powerOn(a, SimTime{});
  w.powerOn(b, SimTime{});
  w.runUntil(SimTime{});
  RadioRecorder rb(w.kernel());
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  const auto f = dataFrame(1, 1, 100);
  ASSERT_EQ(w.platform(a).radio802154->transmit(txOn(11, f)), Error::kNone);
  w.reboot(a, SimTime{millis(1)});
  w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(rb.frames.empty());
  EXPECT_EQ(w.radioStats(b).rx_aborted, 1U);
  EXPECT_EQ(w.radioStats(a).tx_frames, 1U);
}

// --- drifting clocks -------------------------------------------------------------------

TEST(World, DriftingClockTimestampsInLocalTime) {
  World w(plainConfig());
  NodeConfig fast = at(10.0);
  fast.drift_ppm = 40.0;
  NodeConfig slow = at(0.0);
  slow.drift_ppm = -25.0;
  const NodeId a = w.addNode(slow);
  const NodeId r = w.addNode(fast);
  w.finalizeTopology();
  w.powerOn(a, SimTime{});
  w.powerOn(r, SimTime{millis(100)});  // R's clock reads 0 at 100 ms
  w.runUntil(SimTime{millis(100)});
  RadioRecorder ra(w.kernel()), rr(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  w.platform(r).radio802154->setClient(&rr);
  ASSERT_EQ(w.platform(r).radio802154->receive(11), Error::kNone);
  // A sends at its local 1 s: sim time 1 s / (1 - 25e-6).
  const auto frame = dataFrame(1, 1, 10);
  platform::Tx802154 tx = txOn(11, frame);
  tx.at = LocalTime{seconds(1)};
  ASSERT_EQ(w.platform(a).radio802154->transmit(tx), Error::kNone);
  w.runUntil(SimTime{seconds(2)});
  // The SHR starts at the sim time A's clock reads 1 s; the SFD ends 160 µs later.
  const NodeClock clock_a(-25'000, SimTime{});
  const NodeClock clock_r(40'000, SimTime{millis(100)});
  const SimTime shr = clock_a.toSim(LocalTime{seconds(1)});
  EXPECT_GT(shr, SimTime{seconds(1) + micros(24)});  // the slow clock reads 1 s late
  const SimTime sfd = shr + micros(160);
  ASSERT_EQ(ra.tx_done.size(), 1U);
  EXPECT_EQ(ra.tx_done[0].second, clock_a.toLocal(sfd));
  // 160 µs of true time on a clock 25 ppm slow.
  EXPECT_EQ((ra.tx_done[0].second - LocalTime{seconds(1)}).count(), 159'996);
  ASSERT_EQ(rr.frames.size(), 1U);
  EXPECT_EQ(rr.frames[0].sfd, clock_r.toLocal(sfd));
  // R's clock runs 40 ppm fast: ~36 µs ahead of the time elapsed since its boot.
  const Duration elapsed = sfd - SimTime{millis(100)};
  EXPECT_NEAR(static_cast<double>((rr.frames[0].sfd.time_since_epoch() - elapsed).count()),
              static_cast<double>(elapsed.count()) * 40e-6, 1.0);
}

// --- propagation and neighbour tables --------------------------------------------------

TEST(World, ShadowingIsSymmetricSeededAndOrderIndependent) {
  PropagationConfig pc;
  pc.kind = PropagationKind::kLogDistance;
  pc.shadowing_sigma_db = 6.0;
  Propagation p1(pc, 42), p2(pc, 42), p3(pc, 43);
  double sum = 0.0, sum2 = 0.0;
  int differ = 0;
  for (std::uint32_t a = 0; a < 60; ++a) {
    for (std::uint32_t b = a + 1; b < 60; ++b) {
      const double x = p1.shadowingDb(a, b);
      EXPECT_EQ(x, p1.shadowingDb(b, a));
      EXPECT_EQ(x, p2.shadowingDb(a, b));
      if (x != p3.shadowingDb(a, b)) ++differ;
      EXPECT_LE(std::abs(x), 24.0 + 1e-9);
      sum += x;
      sum2 += x * x;
    }
  }
  const double n = 60.0 * 59.0 / 2.0;
  EXPECT_NEAR(sum / n, 0.0, 0.5);
  EXPECT_NEAR(std::sqrt(sum2 / n), 6.0, 0.4);
  EXPECT_GT(differ, 1700);

  // The same pair gets the same link gain whatever the insertion order of the nodes.
  WorldConfig c = plainConfig(9);
  c.propagation.shadowing_sigma_db = 6.0;
  World w1(c), w2(c);
  w1.addNode(at(0.0));
  w1.addNode(at(30.0));
  w2.addNode(at(0.0));
  w2.addNode(at(30.0));
  w2.addNode(at(60.0));
  EXPECT_EQ(w1.linkRxPowerDbm(0, 1), w2.linkRxPowerDbm(0, 1));
  EXPECT_EQ(w2.linkRxPowerDbm(0, 1), w2.linkRxPowerDbm(1, 0));
}

TEST(World, GridNeighbourTableEqualsBruteForce) {
  PropagationConfig pc;
  pc.kind = PropagationKind::kLogDistance;
  pc.shadowing_sigma_db = 5.0;
  Propagation prop(pc, 3);
  Rng rng(11);
  std::vector<Vec3> pos;
  pos.reserve(700);
  for (int i = 0; i < 700; ++i)
    pos.push_back(Vec3{rng.uniform(0, 1500), rng.uniform(0, 900), 0});
  const double min_gain = -85.0;  // 147 m with 4 sigma of shadowing: the grid pays off
  TopologyStats st;
  const NeighborTable t = prop.build(pos, min_gain, &st);
  std::size_t brute = 0;
  for (std::uint32_t i = 0; i < pos.size(); ++i) {
    for (std::uint32_t j = 0; j < pos.size(); ++j) {
      if (i == j) continue;
      const double g = *prop.geometricGainDb(i, pos[i], j, pos[j]);
      const auto found = t.find(i, j);
      if (g >= min_gain) {
        ++brute;
        ASSERT_TRUE(found.has_value()) << i << " -> " << j;
        EXPECT_NEAR(*found, g, 0.005 + 1e-9);  // stored in centi-dB
      } else {
        EXPECT_FALSE(found.has_value());
      }
    }
  }
  EXPECT_EQ(t.entryCount(), brute);
  EXPECT_LT(st.pairs_evaluated, 700U * 699U / 2U / 3U);
}

TEST(World, UnitDiskAndLinkTable) {
  {
    WorldConfig c;
    c.propagation.kind = PropagationKind::kUnitDisk;
    c.propagation.range_m = 25.0;
    World w(c);
    w.addNode(at(0.0));
    w.addNode(at(20.0));
    w.addNode(at(50.0));
    EXPECT_EQ(w.linkRxPowerDbm(0, 1), -60.0);
    EXPECT_FALSE(w.linkRxPowerDbm(0, 2).has_value());
  }
  WorldConfig c;
  c.propagation.kind = PropagationKind::kLinkTable;
  c.propagation.links.push_back(LinkTableEntry{0, 1, 75.0, std::nullopt});
  c.propagation.links.push_back(LinkTableEntry{1, 0, std::nullopt, 0.5});
  World w(c);
  w.addNode(at(0.0));
  w.addNode(at(1000.0));
  w.addNode(at(1.0));
  w.finalizeTopology();
  EXPECT_EQ(w.linkRxPowerDbm(0, 1), -75.0);
  EXPECT_EQ(w.linkRxPowerDbm(1, 0), -60.0);          // PRR links have the nominal power
  EXPECT_FALSE(w.linkRxPowerDbm(0, 2).has_value());  // close, but not in the table
  // The PRR link delivers about half of the frames.
  for (NodeId i = 0; i < 3; ++i)
    w.powerOn(i, SimTime{});
  w.runUntil(SimTime{});
  RadioRecorder r0(w.kernel()), r1(w.kernel());
  w.platform(0).radio802154->setClient(&r0);
  w.platform(1).radio802154->setClient(&r1);
  ASSERT_EQ(w.platform(0).radio802154->receive(11), Error::kNone);
  ASSERT_EQ(w.platform(1).radio802154->receive(11), Error::kNone);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 10);
  for (int i = 0; i < 1000; ++i) {
    s.at(millis(1) + millis(4) * i,
         [&] { (void)w.platform(1).radio802154->transmit(txOn(11, f)); });
    s.at(millis(3) + millis(4) * i,
         [&] { (void)w.platform(0).radio802154->transmit(txOn(11, f)); });
  }
  w.runUntil(SimTime{seconds(5)});
  EXPECT_NEAR(static_cast<double>(r0.frames.size()) / 1000.0, 0.5, 0.06);
  EXPECT_EQ(r1.frames.size(), 1000U);
}

// --- determinism and captures ----------------------------------------------------------

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct RunOutput {
  std::string pcap154;
  std::string pcapble;
  std::vector<RadioStats> stats;
};

RunOutput runMixed(std::uint64_t seed, const std::filesystem::path& dir, bool ble_crc_flag = true) {
  std::filesystem::create_directories(dir);
  WorldConfig c = plainConfig(seed);
  c.propagation.shadowing_sigma_db = 4.0;
  c.pcap_802154_path = (dir / "ieee802154.pcap").string();
  c.pcap_ble_path = (dir / "ble.pcap").string();
  c.pcap_ble_crc_checked_flag = ble_crc_flag;
  RunOutput out;
  {
    World w(c);
    Rng place(seed);
    for (int i = 0; i < 12; ++i) {
      w.addNode(at(place.uniform(0, 60), place.uniform(0, 60), true, i % 2 == 0));
    }
    w.finalizeTopology();
    for (NodeId i = 0; i < w.nodeCount(); ++i) {
      w.setStackFactory(i, [](platform::Platform& p) {
        std::vector<std::unique_ptr<platform::Stack>> v;
        v.push_back(std::make_unique<BeaconStack>(p, millis(40), 15));
        return v;
      });
      w.powerOn(i, SimTime{});
    }
    w.reboot(3, SimTime{millis(500)});
    w.addJammer(Vec3{30, 30, 0}, 2425.0, -10.0, SimTime{millis(700)}, SimTime{millis(800)});
    w.runUntil(SimTime{seconds(2)});
    for (NodeId i = 0; i < w.nodeCount(); ++i)
      out.stats.push_back(w.radioStats(i));
    w.closeCaptures();
  }
  out.pcap154 = readFile(dir / "ieee802154.pcap");
  out.pcapble = readFile(dir / "ble.pcap");
  return out;
}

TEST(World, SameSeedSameBytesOtherSeedDifferent) {
  const auto base = std::filesystem::temp_directory_path() / "lpm_world_determinism";
  const RunOutput a = runMixed(5, base / "a");
  const RunOutput b = runMixed(5, base / "b");
  const RunOutput c = runMixed(6, base / "c");
  ASSERT_GT(a.pcap154.size(), 10'000U);
  ASSERT_GT(a.pcapble.size(), 10'000U);
  EXPECT_EQ(a.pcap154, b.pcap154);
  EXPECT_EQ(a.pcapble, b.pcapble);
  EXPECT_NE(a.pcap154, c.pcap154);
  EXPECT_NE(a.pcapble, c.pcapble);
  std::uint64_t ok = 0, collisions = 0;
  for (std::size_t i = 0; i < a.stats.size(); ++i) {
    EXPECT_EQ(a.stats[i].rx_ok, b.stats[i].rx_ok);
    EXPECT_EQ(a.stats[i].rx_lost_collision, b.stats[i].rx_lost_collision);
    EXPECT_EQ(a.stats[i].charge_mc, b.stats[i].charge_mc);
    ok += a.stats[i].rx_ok;
    collisions += a.stats[i].rx_lost_collision;
  }
  EXPECT_GT(ok, 1000U);
  EXPECT_GT(collisions, 0U);  // the jammer and BLE/15.4 overlap on ch 15 / BLE 38
  std::filesystem::remove_all(base);
}

// tshark reads both captures with no malformed packet and no warning/error expert
// info; with the pseudo-header's CRC flags left clear it checks our CRC-24 itself.
// stderr is kept (so a bad field or filter name shows up as output and fails the
// test), except tshark's warning about running as root.
std::string runCommand(const std::string& cmd) {
  std::string out;
  const std::string full = "(" + cmd + ") 2>&1 | grep -v 'Running as user'";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  pclose(p);
  return out;
}

TEST(World, TsharkReadsCapturesCleanly) {
  if (std::system("tshark --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  const auto dir = std::filesystem::temp_directory_path() / "lpm_world_tshark";
  (void)runMixed(8, dir, /*ble_crc_flag=*/false);
  for (const char* name : {"ieee802154.pcap", "ble.pcap"}) {
    const std::string file = (dir / name).string();
    const std::string count =
        runCommand("tshark -r " + file + " -T fields -e frame.number | wc -l");
    EXPECT_GT(std::stoi(count), 100) << name;
    // Any malformed packet or expert info of severity warning (0x00600000) or above.
    const std::string bad = runCommand("tshark -r " + file +
                                       " -Y '_ws.malformed || _ws.expert.severity >= 0x00600000'"
                                       " -T fields -e frame.number -e _ws.expert.message");
    EXPECT_EQ(bad.substr(0, 500), "") << name;
    const std::string expert = runCommand("tshark -r " + file + " -q -z expert,warn");
    EXPECT_EQ(expert.find("Malformed"), std::string::npos) << expert.substr(0, 500);
  }
  // 802.15.4: channel and FCS from the TAP TLVs, FCS checked good.
  const std::string wpan =
      runCommand("tshark -r " + (dir / "ieee802154.pcap").string() +
                 " -c 3 -T fields -e wpan-tap.ch_num -e wpan.fcs_ok -e wpan.src16 -e wpan.dst_pan");
  EXPECT_NE(wpan.find("15\t1\t"), std::string::npos) << wpan.substr(0, 500);
  // BLE: advertising address, channel, CRC computed by Wireshark and not flagged.
  const std::string btle =
      runCommand("tshark -r " + (dir / "ble.pcap").string() +
                 " -c 3 -T fields -e btle_rf.channel -e btle.advertising_address -e btle.crc");
  EXPECT_NE(btle.find("c0:00:00:00:00:"), std::string::npos) << btle.substr(0, 500);
  const std::string crc_bad = runCommand("tshark -r " + (dir / "ble.pcap").string() +
                                         " -Y 'btle.crc.incorrect' -T fields -e frame.number");
  EXPECT_EQ(crc_bad.substr(0, 500), "");
  if (std::getenv("LPM_KEEP_TSHARK_PCAPS") == nullptr) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lpm::sim
