// Fuzz target for the TSCH EB path: arbitrary bytes go (1) through Frame::parse and
// parseEb, whose content must survive buildEb -> encode -> parse -> parseEb unchanged,
// and (2) into a scanning TschMac as a received frame (with or without security, each
// joining key mode), which may adopt the schedule, timing and hopping sequence the
// frame announces and compute its next active slot. Nothing may crash or misbehave.
//
// Input: byte 0 selects security (bit 0) and the joining key mode (bits 1-2); the rest
// is the MPDU.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/ieee802154/tsch_frames.hpp"
#include "lpmesh/ieee802154/tsch_mac.hpp"
#include "lpmesh/ieee802154/tsch_upper.hpp"

namespace {

using namespace lpm;
using namespace lpm::ieee802154;

class FakeRadio final : public platform::Radio802154 {
 public:
  void setClient(platform::Radio802154Client* /*client*/) override {}
  Eui64 eui64() const override { return {0x02, 0, 0, 0, 0, 0, 0, 0x42}; }
  Error transmit(const platform::Tx802154& tx) override {
    if (tx.mpdu.size() > platform::k802154MaxMpdu) __builtin_trap();
    return Error::kNone;
  }
  Error receive(std::uint8_t channel) override {
    if (channel < platform::k802154MinChannel || channel > platform::k802154MaxChannel) {
      __builtin_trap();
    }
    return Error::kNone;
  }
  void sleep() override {}
  Error energyDetect(std::uint8_t /*channel*/, Duration /*duration*/) override {
    return Error::kNone;
  }
  std::int8_t rssiNow() const override { return -110; }
  void setCcaThreshold(std::int8_t /*dbm*/) override {}
};

class FakeTimers final : public platform::Timers {
 public:
  LocalTime now() const override { return now_; }
  void startAt(platform::Timer& timer, LocalTime at) override {
    timer.fire_at_ = at;
    timer.slot_ = 0;
  }
  void stop(platform::Timer& timer) override { timer.slot_ = platform::Timer::kNotRunning; }
  LocalTime now_ = LocalTime{seconds(100)};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const ByteSpan mpdu(data + 1, size - 1);

  if (auto f = Frame::parse(mpdu)) {
    if (auto c = parseEb(*f)) {
      const Frame eb = buildEb(Eui64{1, 2, 3, 4, 5, 6, 7, 8}, 0xabcd, 1, *c, std::nullopt);
      if (auto bytes = eb.encode()) {
        auto back = Frame::parse(*bytes);
        if (!back) __builtin_trap();
        auto c2 = parseEb(*back);
        if (!c2 || !(*c2 == *c)) __builtin_trap();
      }
    }
  }

  FakeRadio radio;
  FakeTimers timers;
  Rng rng(data[0]);
  platform::Platform p;
  p.node_id = 1;
  p.timers = &timers;
  p.random = &rng;
  p.radio802154 = &radio;
  TschConfig cfg;
  cfg.num_neighbours_to_wait = 1;
  cfg.security.enabled = (data[0] & 1U) != 0;
  const unsigned mode = (data[0] >> 1) % 3U;
  cfg.security.join_mode = mode == 0   ? JoinKeyMode::kK1K2
                           : mode == 1 ? JoinKeyMode::kK1Only
                                       : JoinKeyMode::kNone;
  StaticTschUpper upper(false, std::nullopt);
  TschMac mac(p, cfg, upper);
  mac.start();
  platform::Rx802154 rx;
  rx.channel = 20;
  rx.mpdu = mpdu;
  rx.sfd_time = timers.now_ - micros(500);
  mac.onRx(rx);
  if (mac.isSynchronized()) {
    if (mac.schedule().empty() || mac.hoppingSequence().empty()) __builtin_trap();
    (void)mac.currentAsn();
  }
  mac.stop();
  return 0;
}
