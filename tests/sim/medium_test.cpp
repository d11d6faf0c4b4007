// The medium through whole worlds: PRR against distance versus the analytic model,
// collisions, capture, cross-technology interference, half-duplex, CCA, energy.
// Stacks are replaced by test code driving the platform radios directly.
#include "lpmesh/sim/medium.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "lpmesh/sim/world.hpp"
#include "tests/sim/world_test_util.hpp"

namespace lpm::sim {
namespace {

using namespace lpm::sim::test;  // NOLINT(google-build-using-namespace)
using platform::TxStatus;

void powerAll(World& w) {
  for (NodeId i = 0; i < w.nodeCount(); ++i)
    w.powerOn(i, SimTime{});
  w.runUntil(SimTime{});
}

// --- PRR against distance -------------------------------------------------------------

// The analytic model, written out again from the formulas (not calling the simulator):
// received power P = -(40 + 30 log10 d), noise N = -174 + 10 log10(2e6) + NF, BER from
// IEEE 802.15.4 E.4.1.8 at SINR = P - N, PRR = (1 - BER)^(8 * PSDU bytes).
double analyticPrr(double d, double nf_db, std::size_t psdu_bytes) {
  const double p_dbm = -(40.0 + 30.0 * std::log10(d));
  const double n_dbm = -174.0 + 10.0 * std::log10(2e6) + nf_db;
  const double sinr = std::pow(10.0, (p_dbm - n_dbm) / 10.0);
  double sum = 0.0;
  double binom = 1.0;  // C(16, k) built incrementally
  for (int k = 1; k <= 16; ++k) {
    binom = binom * (16 - k + 1) / k;
    if (k < 2) continue;
    sum += ((k % 2 == 0) ? 1.0 : -1.0) * binom * std::exp(20.0 * sinr * (1.0 / k - 1.0));
  }
  const double ber = (8.0 / 15.0) * (1.0 / 16.0) * sum;
  return std::pow(1.0 - ber, 8.0 * static_cast<double>(psdu_bytes));
}

TEST(Medium, PrrAgainstDistanceMatchesAnalyticModel) {
  WorldConfig cfg = plainConfig(7);
  cfg.phy.sensitivity_802154_dbm = -120.0;  // let the BER curve, not the cut-off, decide
  cfg.phy.prune_below_dbm = -125.0;
  const double nf = cfg.phy.noise_figure_db;
  // SNRs from -1.5 to +1 dB put the PRR of a 22-byte PSDU between ~0.2 and ~1.
  const std::vector<double> snr_db = {-1.5, -1.0, -0.5, 0.0, 0.5, 1.0};
  const double noise = -174.0 + 10.0 * std::log10(2e6) + nf;
  World w(cfg);
  const NodeId sender = w.addNode(at(0.0));
  std::vector<NodeId> receivers;
  std::vector<double> dist;
  for (std::size_t i = 0; i < snr_db.size(); ++i) {
    // Receivers on a circle-ish arc, far from one another.
    const double d = distanceForLoss(-(noise + snr_db[i]));
    const double angle = 0.5 * static_cast<double>(i);
    receivers.push_back(w.addNode(at(d * std::cos(angle), d * std::sin(angle))));
    dist.push_back(d);
  }
  w.finalizeTopology();
  powerAll(w);
  std::vector<std::unique_ptr<RadioRecorder>> rec;
  for (NodeId r : receivers) {
    rec.push_back(std::make_unique<RadioRecorder>(w.kernel()));
    w.platform(r).radio802154->setClient(rec.back().get());
    ASSERT_EQ(w.platform(r).radio802154->receive(20), Error::kNone);
  }
  RadioRecorder tx_rec(w.kernel());
  w.platform(sender).radio802154->setClient(&tx_rec);
  constexpr int kFrames = 5000;
  const auto frame = dataFrame(1, 0, 11);  // 20-byte MPDU + FCS = 22-byte PSDU
  Script s(w.kernel());
  for (int i = 0; i < kFrames; ++i) {
    s.at(millis(1) + millis(2) * i, [&] {
      ASSERT_EQ(w.platform(sender).radio802154->transmit(txOn(20, frame)), Error::kNone);
    });
  }
  w.runUntil(SimTime{seconds(11)});
  ASSERT_EQ(tx_rec.tx_done.size(), static_cast<std::size_t>(kFrames));
  for (std::size_t i = 0; i < receivers.size(); ++i) {
    const double expected = analyticPrr(dist[i], nf, frame.size() + 2);
    const double measured = static_cast<double>(rec[i]->frames.size()) / kFrames;
    // Tolerance: 3.5 binomial standard deviations (<= 0.025 at 5000 frames) plus 0.003
    // for the BER table's interpolation.
    const double tol = 3.5 * std::sqrt(expected * (1.0 - expected) / kFrames) + 0.003;
    EXPECT_NEAR(measured, expected, tol) << "SNR " << snr_db[i] << " dB, d = " << dist[i] << " m";
    const RadioStats& st = w.radioStats(receivers[i]);
    EXPECT_EQ(st.rx_ok + st.rx_lost_noise, static_cast<std::uint64_t>(kFrames));
    EXPECT_EQ(st.rx_lost_collision, 0U);
  }
}

// --- collisions and capture ------------------------------------------------------------

struct Trio {
  explicit Trio(double da, double db, WorldConfig cfg = plainConfig()) : w(std::move(cfg)) {
    a = w.addNode(at(-da));
    r = w.addNode(at(0.0));
    b = w.addNode(at(0.0, db));
    w.finalizeTopology();
    powerAll(w);
    w.platform(r).radio802154->setClient(&rx);
    w.platform(a).radio802154->setClient(&ta);
    w.platform(b).radio802154->setClient(&tb);
    EXPECT_EQ(w.platform(r).radio802154->receive(15), Error::kNone);
  }
  World w;
  NodeId a = 0, r = 0, b = 0;
  RadioRecorder rx{w.kernel()}, ta{w.kernel()}, tb{w.kernel()};
};

TEST(Medium, EqualPowerOverlapLosesBoth) {
  Trio t(20.0, 20.0);
  Script s(t.w.kernel());
  const auto fa = dataFrame(1, 1, 30);
  const auto fb = dataFrame(2, 2, 30);
  s.at(millis(1), [&] { (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa)); });
  s.at(millis(1) + micros(300),
       [&] { (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb)); });
  t.w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(t.rx.frames.empty());
  const RadioStats& st = t.w.radioStats(t.r);
  EXPECT_EQ(st.rx_lost_collision, 1U);  // locked on A, destroyed by B
  EXPECT_EQ(st.rx_missed_busy, 1U);     // B arrived while locked on A
  EXPECT_EQ(st.rx_ok, 0U);
  // Each alone is received.
  s.at(millis(20), [&] { (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa)); });
  s.at(millis(30), [&] { (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb)); });
  t.w.runUntil(SimTime{millis(40)});
  EXPECT_EQ(t.rx.frames.size(), 2U);
}

TEST(Medium, SimultaneousEqualFramesBothLost) {
  Trio t(20.0, 20.0);
  Script s(t.w.kernel());
  const auto fa = dataFrame(1, 1, 30);
  const auto fb = dataFrame(2, 2, 30);
  s.at(millis(1), [&] {
    (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa));
    (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb));
  });
  t.w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(t.rx.frames.empty());
}

// The stronger frame first: it survives when its SIR stays above the capture threshold
// (3 dB by default), and is lost below it. The weaker one is never received.
void captureCase(double margin_db, bool expect_received) {
  // A at 10 m; B placed so that its power is margin_db below A's.
  const double pl_a = 40.0 + 30.0 * std::log10(10.0);
  Trio t(10.0, distanceForLoss(pl_a + margin_db));
  Script s(t.w.kernel());
  const auto fa = dataFrame(1, 1, 30);
  const auto fb = dataFrame(2, 2, 30);
  s.at(millis(1), [&] { (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa)); });
  s.at(millis(1) + micros(400),
       [&] { (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb)); });
  t.w.runUntil(SimTime{millis(10)});
  if (expect_received) {
    ASSERT_EQ(t.rx.frames.size(), 1U) << "margin " << margin_db;
    EXPECT_EQ(t.rx.frames[0].mpdu, fa);
    EXPECT_EQ(t.w.radioStats(t.r).rx_missed_busy, 1U);
  } else {
    EXPECT_TRUE(t.rx.frames.empty()) << "margin " << margin_db;
    EXPECT_EQ(t.w.radioStats(t.r).rx_lost_collision, 1U);
  }
}

TEST(Medium, CaptureStrongerFirstAboveThreshold) {
  captureCase(10.0, true);
  captureCase(4.0, true);
  captureCase(2.0, false);
  captureCase(0.0, false);
}

TEST(Medium, NoCaptureOfStrongerLastFrame) {
  // Weak frame first, strong one later: the receiver stays locked on the weak one (no
  // re-synchronisation); both are lost.
  const double pl_a = 40.0 + 30.0 * std::log10(10.0);
  Trio t(10.0, distanceForLoss(pl_a + 10.0));
  Script s(t.w.kernel());
  const auto fa = dataFrame(1, 1, 30);
  const auto fb = dataFrame(2, 2, 30);
  s.at(millis(1), [&] { (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb)); });
  s.at(millis(1) + micros(400),
       [&] { (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa)); });
  t.w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(t.rx.frames.empty());
  EXPECT_EQ(t.w.radioStats(t.r).rx_lost_collision, 1U);
  EXPECT_EQ(t.w.radioStats(t.r).rx_missed_busy, 1U);
}

TEST(Medium, StrongFrameStartingUnderWeakInterferenceIsReceived) {
  // The receiver turns on during B's (weak) frame, so it cannot lock on B; A starts
  // later, 10 dB stronger: A is received despite the weak interference.
  const double pl_a = 40.0 + 30.0 * std::log10(10.0);
  Trio t(10.0, distanceForLoss(pl_a + 10.0));
  t.w.platform(t.r).radio802154->sleep();
  Script s(t.w.kernel());
  const auto fa = dataFrame(1, 1, 10);
  const auto fb = dataFrame(2, 2, 60);
  s.at(millis(1), [&] { (void)t.w.platform(t.b).radio802154->transmit(txOn(15, fb)); });
  s.at(millis(1) + micros(500), [&] { (void)t.w.platform(t.r).radio802154->receive(15); });
  s.at(millis(1) + micros(600),
       [&] { (void)t.w.platform(t.a).radio802154->transmit(txOn(15, fa)); });
  t.w.runUntil(SimTime{millis(10)});
  ASSERT_EQ(t.rx.frames.size(), 1U);
  EXPECT_EQ(t.rx.frames[0].mpdu, fa);
  // LQI reflects the ~10 dB SINR under interference.
  EXPECT_NEAR(t.rx.frames[0].lqi, 100, 5);
}

// --- cross-technology interference ------------------------------------------------------

struct CrossTech {
  // R (15.4 receiver on `ch154`) hears A (15.4) at 10 m; B (BLE advertiser on 38 only)
  // sits at distance `db` from R.
  CrossTech(std::uint8_t ch154, double db) : w(plainConfig()) {
    a = w.addNode(at(-10.0));
    r = w.addNode(at(0.0, 0.0, true, true));
    b = w.addNode(at(0.0, db, false, true));
    w.finalizeTopology();
    powerAll(w);
    w.platform(r).radio802154->setClient(&rx);
    w.platform(r).ble->setClient(&ble_rx);
    w.platform(b).ble->setClient(&ble_b);
    EXPECT_EQ(w.platform(r).radio802154->receive(ch154), Error::kNone);
    channel = ch154;
  }
  void overlap(bool with_ble) {
    Script s(w.kernel());
    const auto f = dataFrame(1, 1, 40);
    const SimTime base = w.now();
    s.at(base + millis(1), [&, f] { (void)w.platform(a).radio802154->transmit(txOn(channel, f)); });
    if (with_ble) {
      s.at(base + millis(1) + micros(400), [&] {
        platform::AdvParams p;
        p.channel_map = 0x02;  // 38 only
        p.num_events = 1;
        const std::vector<std::uint8_t> data(20, 0x11);
        (void)w.platform(b).ble->startAdvertising(p, data);
      });
    }
    w.runUntil(w.now() + millis(10));
  }
  World w;
  NodeId a = 0, r = 0, b = 0;
  std::uint8_t channel = 15;
  RadioRecorder rx{w.kernel()};
  BleRecorder ble_rx, ble_b;
};

TEST(Medium, Ch15AndBle38Interfere) {
  // B 3 dB stronger at R than A: after the -3 dB overlap factor SIR is 0 dB.
  const double pl_a = 40.0 + 30.0 * std::log10(10.0);
  CrossTech t(15, distanceForLoss(pl_a - 3.0));
  t.overlap(false);
  EXPECT_EQ(t.rx.frames.size(), 1U);  // alone, the frame gets through
  t.overlap(true);
  EXPECT_EQ(t.rx.frames.size(), 1U);  // with BLE 38 on air, it does not
  EXPECT_EQ(t.w.radioStats(t.r, Phy::k802154).rx_lost_collision, 1U);
}

TEST(Medium, Ch11AndBle38DoNotInterfere) {
  const double pl_a = 40.0 + 30.0 * std::log10(10.0);
  CrossTech t(11, distanceForLoss(pl_a - 3.0));
  t.overlap(true);
  EXPECT_EQ(t.rx.frames.size(), 1U);
  EXPECT_EQ(t.w.radioStats(t.r, Phy::k802154).rx_lost_collision, 0U);
}

TEST(Medium, Ch15DisturbsBleReceiverOn38) {
  // Mirror: a BLE scanner on 38 receiving B; a 15.4 sender on ch 15 (6 dB stronger,
  // -6 dB overlap) destroys the PDU; on ch 11 it does not.
  for (std::uint8_t ch : {std::uint8_t{15}, std::uint8_t{11}}) {
    World w(plainConfig());
    const double pl_b = 40.0 + 30.0 * std::log10(10.0);
    const NodeId a = w.addNode(at(-distanceForLoss(pl_b - 6.0)));
    const NodeId r = w.addNode(at(0.0, 0.0, false, true));
    const NodeId b = w.addNode(at(0.0, 10.0, false, true));
    w.finalizeTopology();
    powerAll(w);
    BleRecorder rec;
    w.platform(r).ble->setClient(&rec);
    platform::ScanParams sp;
    sp.channel_map = 0x02;
    sp.interval = millis(100);
    sp.window = millis(100);
    ASSERT_EQ(w.platform(r).ble->startScanning(sp), Error::kNone);
    Script s(w.kernel());
    const auto f = dataFrame(1, 1, 100);  // 3.5 ms on air
    s.at(millis(1), [&] { (void)w.platform(a).radio802154->transmit(txOn(ch, f)); });
    s.at(millis(2), [&] {
      platform::AdvParams p;
      p.channel_map = 0x02;
      p.num_events = 1;
      (void)w.platform(b).ble->startAdvertising(p, std::vector<std::uint8_t>(10, 0x22));
    });
    w.runUntil(SimTime{millis(20)});
    if (ch == 15) {
      EXPECT_TRUE(rec.reports.empty());
      EXPECT_EQ(w.radioStats(r, Phy::kBle).rx_lost_collision, 1U);
    } else {
      ASSERT_EQ(rec.reports.size(), 1U);
      EXPECT_EQ(rec.reports[0].channel, 38);
    }
  }
}

TEST(Medium, Ble39IsCoChannelWithCh26) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(-10.0));
  const NodeId r = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(0.0, 10.0, false, true));
  w.finalizeTopology();
  powerAll(w);
  RadioRecorder rec(w.kernel());
  w.platform(r).radio802154->setClient(&rec);
  ASSERT_EQ(w.platform(r).radio802154->receive(26), Error::kNone);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 40);
  s.at(millis(1), [&] { (void)w.platform(a).radio802154->transmit(txOn(26, f)); });
  s.at(millis(1) + micros(400), [&] {
    platform::AdvParams p;
    p.channel_map = 0x04;  // 39
    p.num_events = 1;
    (void)w.platform(b).ble->startAdvertising(p, std::vector<std::uint8_t>(20, 0x33));
  });
  w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(rec.frames.empty());  // equal power, full overlap: lost
}

// --- half-duplex -----------------------------------------------------------------------

TEST(Medium, HalfDuplex) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  powerAll(w);
  RadioRecorder ra(w.kernel()), rb(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(a).radio802154->receive(11), Error::kNone);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  Script s(w.kernel());
  const auto fa = dataFrame(1, 1, 100);
  const auto fb = dataFrame(2, 2, 10);
  // B starts sending while A's long frame is on air: B hears nothing of A, and A (busy
  // sending) hears nothing of B.
  s.at(millis(1), [&] { (void)w.platform(a).radio802154->transmit(txOn(11, fa)); });
  s.at(millis(2), [&] { (void)w.platform(b).radio802154->transmit(txOn(11, fb)); });
  w.runUntil(SimTime{millis(10)});
  EXPECT_TRUE(ra.frames.empty());
  EXPECT_TRUE(rb.frames.empty());
  EXPECT_EQ(w.radioStats(a).rx_missed_busy, 1U);  // B's frame arrived while A sent
  EXPECT_EQ(w.radioStats(b).rx_aborted, 1U);      // B stopped receiving A to send
  ASSERT_EQ(ra.tx_done.size(), 1U);
  EXPECT_EQ(ra.tx_done[0].first, TxStatus::kOk);
  // Receiving again afterwards works.
  s.at(millis(20), [&] { (void)w.platform(a).radio802154->transmit(txOn(11, fa)); });
  w.runUntil(SimTime{millis(30)});
  EXPECT_EQ(rb.frames.size(), 1U);
}

TEST(Medium, FrameStartedWhileOffOrOnOtherChannelIsNotReceived) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  powerAll(w);
  RadioRecorder rb(w.kernel());
  w.platform(b).radio802154->setClient(&rb);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 60);
  // Radio asleep at the start, turned on mid-frame.
  s.at(millis(1), [&] { (void)w.platform(a).radio802154->transmit(txOn(12, f)); });
  s.at(millis(1) + micros(500), [&] { (void)w.platform(b).radio802154->receive(12); });
  // Listening on another channel at the start, switched mid-frame.
  s.at(millis(10), [&] { (void)w.platform(b).radio802154->receive(13); });
  s.at(millis(11), [&] { (void)w.platform(a).radio802154->transmit(txOn(12, f)); });
  s.at(millis(11) + micros(500), [&] { (void)w.platform(b).radio802154->receive(12); });
  // Listening from the start: received.
  s.at(millis(20), [&] { (void)w.platform(a).radio802154->transmit(txOn(12, f)); });
  w.runUntil(SimTime{millis(30)});
  ASSERT_EQ(rb.frames.size(), 1U);
  EXPECT_EQ(rb.frames[0].at, SimTime{millis(20) + platform::k802154Turnaround +
                                     platform::airtime802154(f.size() + 2)});
  EXPECT_EQ(rb.frames[0].channel, 12);
  EXPECT_EQ(rb.frames[0].rssi, -70);  // 0 dBm - (40 + 30 log10 10)
}

// --- CCA, energy detect ----------------------------------------------------------------

TEST(Medium, CcaBusyWithJammer) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  w.finalizeTopology();
  // Jammer on ch 11 (2405 MHz) from 10 to 20 ms, -60 dBm at A; one on ch 20 throughout.
  w.addJammer(Vec3{10.0, 0.0, 0.0}, 2405.0, 10.0, SimTime{millis(10)}, SimTime{millis(20)});
  w.addJammer(Vec3{10.0, 0.0, 0.0}, 2450.0, 10.0, SimTime{}, SimTime{seconds(1)});
  powerAll(w);
  RadioRecorder ra(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 10);
  s.at(millis(5),
       [&] { ASSERT_EQ(w.platform(a).radio802154->transmit(txOn(11, f, 0, true)), Error::kNone); });
  s.at(millis(12),
       [&] { ASSERT_EQ(w.platform(a).radio802154->transmit(txOn(11, f, 0, true)), Error::kNone); });
  s.at(millis(14), [&] {
    ASSERT_EQ(w.platform(a).radio802154->transmit(txOn(11, f, 0, false)), Error::kNone);
  });
  s.at(millis(25),
       [&] { ASSERT_EQ(w.platform(a).radio802154->transmit(txOn(11, f, 0, true)), Error::kNone); });
  s.at(millis(30),
       [&] { ASSERT_EQ(w.platform(a).radio802154->energyDetect(11, millis(1)), Error::kNone); });
  s.at(millis(32),
       [&] { ASSERT_EQ(w.platform(a).radio802154->energyDetect(20, millis(1)), Error::kNone); });
  s.at(millis(34), [&] {
    ASSERT_EQ(w.platform(a).radio802154->receive(20), Error::kNone);
    EXPECT_EQ(w.platform(a).radio802154->rssiNow(), -60);
  });
  w.runUntil(SimTime{millis(40)});
  ASSERT_EQ(ra.tx_done.size(), 4U);
  EXPECT_EQ(ra.tx_done[0].first, TxStatus::kOk);
  EXPECT_EQ(ra.tx_done[1].first, TxStatus::kChannelBusy);
  EXPECT_EQ(ra.tx_done[2].first, TxStatus::kOk);  // no CCA: sent into the jammer
  EXPECT_EQ(ra.tx_done[3].first, TxStatus::kOk);
  EXPECT_EQ(w.radioStats(a).cca_busy, 1U);
  EXPECT_EQ(w.radioStats(a).tx_frames, 3U);
  ASSERT_EQ(ra.ed.size(), 2U);
  EXPECT_LE(ra.ed[0], -100);  // noise only (-105 dBm) on ch 11 after the jammer stopped
  EXPECT_EQ(ra.ed[1], -60);
}

TEST(Medium, JammerDestroysFrames) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  w.addJammer(Vec3{10.0, 30.0, 0.0}, 2405.0, 0.0, SimTime{millis(10)}, SimTime{millis(20)});
  powerAll(w);
  RadioRecorder rb(w.kernel());
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 10);
  for (int t : {5, 12, 15, 25}) {
    s.at(millis(t), [&] { (void)w.platform(a).radio802154->transmit(txOn(11, f)); });
  }
  w.runUntil(SimTime{millis(30)});
  // Jammer at -84 dBm vs the frame at -70 dBm: 14 dB SIR survives; make it stronger.
  EXPECT_EQ(rb.frames.size(), 4U);

  World w2(plainConfig());
  const NodeId a2 = w2.addNode(at(0.0));
  const NodeId b2 = w2.addNode(at(10.0));
  w2.addJammer(Vec3{10.0, 5.0, 0.0}, 2405.0, 0.0, SimTime{millis(10)}, SimTime{millis(20)});
  w2.finalizeTopology();
  powerAll(w2);
  RadioRecorder rb2(w2.kernel());
  w2.platform(b2).radio802154->setClient(&rb2);
  ASSERT_EQ(w2.platform(b2).radio802154->receive(11), Error::kNone);
  Script s2(w2.kernel());
  for (int t : {5, 12, 15, 25}) {
    s2.at(millis(t), [&] { (void)w2.platform(a2).radio802154->transmit(txOn(11, f)); });
  }
  w2.runUntil(SimTime{millis(30)});
  EXPECT_EQ(rb2.frames.size(), 2U);
  EXPECT_EQ(w2.radioStats(b2).rx_lost_collision, 2U);
}

// --- transmit timing -------------------------------------------------------------------

TEST(Medium, TransmitAtLocalTimeAndTxDoneSfd) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  powerAll(w);
  RadioRecorder ra(w.kernel()), rb(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  const auto f = dataFrame(1, 1, 10);
  platform::Tx802154 tx = txOn(11, f, 0, true);
  tx.at = LocalTime{millis(5)};
  ASSERT_EQ(w.platform(a).radio802154->transmit(tx), Error::kNone);
  EXPECT_EQ(w.platform(a).radio802154->transmit(tx), Error::kBusy);
  w.runUntil(SimTime{millis(10)});
  ASSERT_EQ(ra.tx_done.size(), 1U);
  EXPECT_EQ(ra.tx_done[0].first, TxStatus::kOk);
  EXPECT_EQ(ra.tx_done[0].second, LocalTime{millis(5) + micros(160)});
  ASSERT_EQ(rb.frames.size(), 1U);
  EXPECT_EQ(rb.frames[0].sfd, LocalTime{millis(5) + micros(160)});
  // Invalid arguments.
  EXPECT_EQ(w.platform(a).radio802154->transmit(txOn(10, f)), Error::kInvalidArgs);
  EXPECT_EQ(w.platform(a).radio802154->transmit(txOn(11, std::vector<std::uint8_t>(126, 0))),
            Error::kInvalidArgs);
  EXPECT_EQ(w.platform(a).radio802154->receive(27), Error::kInvalidArgs);
}

TEST(Medium, SleepAbortsTransmission) {
  World w(plainConfig());
  const NodeId a = w.addNode(at(0.0));
  const NodeId b = w.addNode(at(10.0));
  w.finalizeTopology();
  powerAll(w);
  RadioRecorder ra(w.kernel()), rb(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 100);
  s.at(millis(1), [&] { (void)w.platform(a).radio802154->transmit(txOn(11, f)); });
  s.at(millis(2), [&] { w.platform(a).radio802154->sleep(); });
  w.runUntil(SimTime{millis(10)});
  ASSERT_EQ(ra.tx_done.size(), 1U);
  EXPECT_EQ(ra.tx_done[0].first, TxStatus::kAborted);
  EXPECT_TRUE(rb.frames.empty());
  EXPECT_EQ(w.radioStats(b).rx_aborted, 1U);
}

// --- energy ----------------------------------------------------------------------------

TEST(Medium, EnergyAccountingSumsToRunTime) {
  WorldConfig cfg = plainConfig();
  World w(cfg);
  const NodeId a = w.addNode(at(0.0, 0.0, true, true));
  const NodeId b = w.addNode(at(10.0, 0.0, true, true));
  const NodeId c = w.addNode(at(20.0));
  w.finalizeTopology();
  w.powerOn(a, SimTime{});
  w.powerOn(b, SimTime{millis(3)});  // off for the first 3 ms
  w.powerOn(c, SimTime{});
  w.powerOff(c, SimTime{millis(50)});
  w.runUntil(SimTime{millis(3)});
  RadioRecorder ra(w.kernel()), rb(w.kernel());
  w.platform(a).radio802154->setClient(&ra);
  w.platform(b).radio802154->setClient(&rb);
  ASSERT_EQ(w.platform(b).radio802154->receive(11), Error::kNone);
  platform::ScanParams sp;
  sp.interval = millis(30);
  sp.window = millis(10);
  ASSERT_EQ(w.platform(b).ble->startScanning(sp), Error::kNone);
  platform::AdvParams ap;
  ap.interval = millis(20);
  ASSERT_EQ(w.platform(a).ble->startAdvertising(ap, std::vector<std::uint8_t>(31, 1)),
            Error::kNone);
  Script s(w.kernel());
  const auto f = dataFrame(1, 1, 50);
  for (int i = 0; i < 20; ++i) {
    s.at(millis(5) + millis(7) * i,
         [&] { (void)w.platform(a).radio802154->transmit(txOn(11, f, 0, true)); });
  }
  const SimTime end{millis(200)};
  w.runUntil(end);
  for (NodeId n : {a, b, c}) {
    for (Phy phy : {Phy::k802154, Phy::kBle}) {
      const RadioStats& st = w.radioStats(n, phy);
      if (phy == Phy::kBle && n == c) {
        EXPECT_EQ(st.time_in_state[0] + st.time_in_state[1], Duration{0});
        continue;
      }
      Duration sum{0};
      double charge = 0.0;
      const double ma[4] = {cfg.phy.current_off_ma, cfg.phy.current_sleep_ma, cfg.phy.current_rx_ma,
                            cfg.phy.current_tx_ma};
      for (std::size_t k = 0; k < 4; ++k) {
        sum += st.time_in_state[k];
        charge += ma[k] * toSeconds(st.time_in_state[k]);
      }
      EXPECT_EQ(sum, end.time_since_epoch()) << "node " << n;
      EXPECT_NEAR(st.charge_mc, charge, 1e-9);
    }
  }
  // Plausibility: B listened on 15.4 the whole time it was on; A transmitted 20 frames
  // of 1.9 ms plus BLE PDUs.
  EXPECT_EQ(w.radioStats(b, Phy::k802154).time_in_state[static_cast<std::size_t>(RadioState::kOff)],
            millis(3));
  EXPECT_EQ(w.radioStats(a, Phy::k802154).time_in_state[static_cast<std::size_t>(RadioState::kTx)],
            platform::airtime802154(f.size() + 2) * 20);
  EXPECT_EQ(w.radioStats(c, Phy::k802154).time_in_state[static_cast<std::size_t>(RadioState::kOff)],
            millis(150));
  EXPECT_EQ(rb.frames.size(), 20U);
  EXPECT_NEAR(w.energyMillijoules(a), w.radioStats(a).charge_mc * cfg.phy.voltage_v, 1e-12);
}

// --- scale guard -----------------------------------------------------------------------

TEST(Medium, CostFollowsNeighboursNotNodes) {
  // 400 nodes on a 20 x 20 grid 50 m apart: a transmission visits only listeners within
  // the pruning range (not all 400).
  WorldConfig cfg = plainConfig();
  cfg.phy.max_tx_power_dbm = 0.0;
  World w(cfg);
  for (int i = 0; i < 400; ++i) {
    const int row = i / 20;
    const int col = i % 20;
    w.addNode(at(50.0 * col, 50.0 * row));
  }
  w.finalizeTopology();
  powerAll(w);
  for (NodeId i = 0; i < 400; ++i)
    ASSERT_EQ(w.platform(i).radio802154->receive(11), Error::kNone);
  const auto f = dataFrame(1, 1, 10);
  ASSERT_EQ(w.platform(210).radio802154->transmit(txOn(11, f)), Error::kNone);
  w.runUntil(SimTime{millis(5)});
  const MediumSummary m = w.mediumSummary();
  EXPECT_EQ(m.transmissions, 1U);
  EXPECT_GT(m.signal_visits, 10U);
  EXPECT_LT(m.signal_visits, 100U);
  EXPECT_EQ(m.prune_below_dbm, -110.0);
  EXPECT_LT(m.mean_neighbors, 100.0);
  EXPECT_LT(m.pairs_evaluated, 400U * 399U / 2U / 2U);
}

}  // namespace
}  // namespace lpm::sim
