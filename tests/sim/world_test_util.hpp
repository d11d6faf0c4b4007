// Helpers for simulator tests: a script of callbacks at simulated times, recording radio
// clients, and raw frames.
#pragma once

#include <deque>
#include <functional>
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

/// An IEEE 802.15.4-2006 data frame: PAN ID compression, short addresses, broadcast
/// destination, `payload_len` bytes of payload (0x00: 6LoWPAN NALP, claimed by no
/// heuristic dissector). Returns the MPDU without FCS.
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
