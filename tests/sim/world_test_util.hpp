// Helpers for simulator tests: a script of callbacks at simulated times, recording radio
// clients, and raw frames.
#pragma once

#include <deque>
#include <functional>
#include <iterator>
#include <vector>

#include "lpmesh/platform/ble.hpp"
#include "lpmesh/platform/radio802154.hpp"
#include "lpmesh/sim/kernel.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::sim::test {

/// Runs callbacks at given simulated times through the kernel.
class Script {
 public:
  explicit Script(Kernel& kernel) : kernel_(kernel) {}
  void at(SimTime t, std::function<void()> fn) {
    fns_.push_back(std::move(fn));
    kernel_.schedule(t, &Script::run, this, fns_.size() - 1);
  }
  void at(Duration t, std::function<void()> fn) { at(SimTime{t}, std::move(fn)); }

 private:
  static void run(void* self, std::uint64_t index) {
    static_cast<Script*>(self)->fns_[static_cast<std::size_t>(index)]();
  }
  Kernel& kernel_;
  std::deque<std::function<void()>> fns_;
};

/// Records everything an 802.15.4 radio reports.
struct RadioRecorder : platform::Radio802154Client {
  struct Frame {
    std::vector<std::uint8_t> mpdu;
    std::uint8_t channel = 0;
    std::int8_t rssi = 0;
    std::uint8_t lqi = 0;
    LocalTime sfd{};
    SimTime at{};
  };
  explicit RadioRecorder(const Kernel& k) : kernel(&k) {}
  void onTxDone(platform::TxStatus status, LocalTime sfd_time) override {
    tx_done.push_back({status, sfd_time});
  }
  void onRx(const platform::Rx802154& f) override {
    frames.push_back(Frame{std::vector<std::uint8_t>(f.mpdu.begin(), f.mpdu.end()), f.channel,
                           f.rssi_dbm, f.lqi, f.sfd_time, kernel->now()});
  }
  void onEnergyDetectDone(std::int8_t max_dbm) override { ed.push_back(max_dbm); }

  const Kernel* kernel;
  std::vector<std::pair<platform::TxStatus, LocalTime>> tx_done;
  std::vector<Frame> frames;
  std::vector<std::int8_t> ed;
};

/// Records advertising reports.
struct BleRecorder : platform::BleControllerClient {
  struct Report {
    BleAddress address{};
    platform::AdvPduType type{};
    std::vector<std::uint8_t> data;
    std::int8_t rssi = 0;
    std::uint8_t channel = 0;
    LocalTime time{};
  };
  void onAdvReport(const platform::AdvReport& r) override {
    reports.push_back(Report{r.address, r.type,
                             std::vector<std::uint8_t>(r.data.begin(), r.data.end()), r.rssi_dbm,
                             r.channel, r.time});
  }
  void onAdvertisingDone() override { ++done; }
  std::vector<Report> reports;
  int done = 0;
};

/// An IEEE 802.15.4-2003 data frame: PAN ID compression, short addresses, broadcast
/// destination, `payload_len` zero bytes of payload. Returns the MPDU without FCS.
inline std::vector<std::uint8_t> dataFrame(std::uint8_t seq, std::uint16_t src,
                                           std::size_t payload_len) {
  std::vector<std::uint8_t> f = {0x41,
                                 0x88,
                                 seq,
                                 0xCD,
                                 0xAB,
                                 0xFF,
                                 0xFF,
                                 static_cast<std::uint8_t>(src),
                                 static_cast<std::uint8_t>(src >> 8)};
  f.resize(f.size() + payload_len, 0x00);
  return f;
}

/// The same header carrying a 6LoWPAN uncompressed IPv6 packet (dispatch 0x41, RFC 4944
/// §5.1) with no next header and `payload_len` bytes: a frame Wireshark dissects fully
/// (a bare zero payload is claimed by its LwMesh heuristic and reported malformed).
inline std::vector<std::uint8_t> ipv6Frame(std::uint8_t seq, std::uint16_t src,
                                           std::uint8_t payload_len) {
  std::vector<std::uint8_t> f = dataFrame(seq, src, 0);
  const std::uint8_t ip[] = {0x41, 0x60, 0, 0, 0, 0, payload_len, 59, 64};
  f.insert(f.end(), std::begin(ip), std::end(ip));
  std::uint8_t addr[16] = {0xFE, 0x80};
  addr[15] = static_cast<std::uint8_t>(src);
  f.insert(f.end(), std::begin(addr), std::end(addr));
  std::uint8_t dst[16] = {0xFF, 0x02};
  dst[15] = 1;
  f.insert(f.end(), std::begin(dst), std::end(dst));
  f.resize(f.size() + payload_len, seq);
  return f;
}

/// World configuration for deterministic geometry: log-distance, no shadowing,
/// PL(d) = 40 + 30 log10(d).
inline WorldConfig plainConfig(std::uint64_t seed = 1) {
  WorldConfig c;
  c.seed = seed;
  c.propagation.kind = PropagationKind::kLogDistance;
  c.propagation.pl_d0_db = 40.0;
  c.propagation.d0_m = 1.0;
  c.propagation.exponent = 3.0;
  c.propagation.shadowing_sigma_db = 0.0;
  return c;
}

/// Distance at which the plainConfig path loss equals `pl_db`.
inline double distanceForLoss(double pl_db) {
  return std::pow(10.0, (pl_db - 40.0) / 30.0);
}

inline NodeConfig at(double x, double y = 0.0, bool radio802154 = true, bool ble = false) {
  NodeConfig n;
  n.position = Vec3{x, y, 0.0};
  n.radio802154 = radio802154;
  n.ble = ble;
  return n;
}

inline platform::Tx802154 txOn(std::uint8_t channel, const std::vector<std::uint8_t>& mpdu,
                               std::int8_t power = 0, bool cca = false) {
  platform::Tx802154 t;
  t.channel = channel;
  t.mpdu = mpdu;
  t.tx_power_dbm = power;
  t.cca = cca;
  return t;
}

}  // namespace lpm::sim::test

namespace lpm::sim::test {

/// A small stack for whole-world tests: broadcasts an 802.15.4 data frame every
/// `period` (first one at a random phase, with CCA), listens on `channel`, and if the
/// node has BLE, advertises its id every 50 ms and scans continuously.
class BeaconStack final : public platform::Stack,
                          public platform::Radio802154Client,
                          public platform::BleControllerClient {
 public:
  BeaconStack(platform::Platform& p, Duration period, std::uint8_t channel)
      : p_(p), period_(period), channel_(channel) {}
  ~BeaconStack() override {
    if (p_.timers != nullptr) p_.timers->stop(timer_);
  }
  void start() override {
    if (p_.radio802154 != nullptr) {
      p_.radio802154->setClient(this);
      (void)p_.radio802154->receive(channel_);
      p_.timers->start(timer_, Duration{static_cast<std::int64_t>(
                                   p_.random->below(static_cast<std::uint64_t>(period_.count())))});
    }
    if (p_.ble != nullptr) {
      p_.ble->setClient(this);
      platform::AdvParams ap;
      ap.interval = millis(50);
      const std::vector<std::uint8_t> data = {0x05,
                                              0xFF,
                                              0x59,
                                              0x00,
                                              static_cast<std::uint8_t>(p_.node_id),
                                              static_cast<std::uint8_t>(p_.node_id >> 8)};
      (void)p_.ble->startAdvertising(ap, data);
      platform::ScanParams sp;
      sp.interval = millis(30);
      sp.window = millis(30);
      (void)p_.ble->startScanning(sp);
    }
  }
  void onTxDone(platform::TxStatus status, LocalTime /*sfd*/) override {
    if (status == platform::TxStatus::kOk) ++sent;
  }
  void onRx(const platform::Rx802154& /*f*/) override { ++received; }
  void onAdvReport(const platform::AdvReport& /*r*/) override { ++adv_reports; }

  int sent = 0;
  int received = 0;
  int adv_reports = 0;

 private:
  void onTimer() {
    const auto f = ipv6Frame(seq_++, static_cast<std::uint16_t>(p_.node_id), 10);
    (void)p_.radio802154->transmit(txOn(channel_, f, 0, true));
    p_.timers->start(timer_, period_);
  }
  platform::Platform& p_;
  Duration period_;
  std::uint8_t channel_;
  std::uint8_t seq_ = 0;
  platform::Timer timer_{this, &platform::Timer::thunk<&BeaconStack::onTimer>};
};

}  // namespace lpm::sim::test
