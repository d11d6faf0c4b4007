// Stateful fuzz target for the Bluetooth Mesh SAR transmitter and receiver (Mesh 1.1
// §3.5.3): the input is a script of segments, acknowledgments, sends and clock steps fed to
// one node's lower transport (network security bypassed: PDUs enter as authenticated
// NetworkRx values). Nothing may crash; reassembled PDUs never exceed 384 octets.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lpmesh/btmesh/lower_transport.hpp"

namespace {

using namespace lpm;
using namespace lpm::btmesh;

class ScriptTimers final : public platform::Timers {
 public:
  LocalTime now() const override { return now_; }
  void startAt(platform::Timer& t, LocalTime at) override {
    stop(t);
    t.fire_at_ = std::max(at, now_);
    t.order_ = order_++;
    t.slot_ = 0;
    armed_.push_back(&t);
  }
  void stop(platform::Timer& t) override {
    if (!t.isRunning()) return;
    armed_.erase(std::remove(armed_.begin(), armed_.end(), &t), armed_.end());
    t.slot_ = platform::Timer::kNotRunning;
  }
  void advance(Duration d) {
    const LocalTime end = now_ + d;
    for (;;) {
      auto it = std::min_element(armed_.begin(), armed_.end(), [](auto* a, auto* b) {
        return a->fire_at_ < b->fire_at_ || (a->fire_at_ == b->fire_at_ && a->order_ < b->order_);
      });
      if (it == armed_.end() || (*it)->fire_at_ > end) break;
      platform::Timer* t = *it;
      armed_.erase(it);
      t->slot_ = platform::Timer::kNotRunning;
      now_ = std::max(now_, t->fire_at_);
      t->fire();
    }
    now_ = end;
  }

 private:
  LocalTime now_{};
  std::uint64_t order_ = 0;
  std::vector<platform::Timer*> armed_;
};

class NullBearer final : public NetworkInterface {
 public:
  BearerType bearerType() const override { return BearerType::kAdvertising; }
  Error transmit(const OutboundPdu&) override { return Error::kNone; }
};

class Sink final : public NetworkUpper, public LowerTransportUpper {
 public:
  LowerTransport* lower = nullptr;
  void onNetworkPdu(const NetworkRx& rx) override { lower->onNetworkPdu(rx); }
  bool isOwnUnicast(Address a) const override { return a == 0x0001; }
  bool listensTo(Address a) const override { return a == 0xC001; }
  Error onUpperTransportPdu(const TransportRx& rx) override {
    if (rx.upper_pdu.size() > kMaxUpperTransportAccessPdu) __builtin_trap();
    return (rx.upper_pdu.empty() || (rx.upper_pdu[0] & 1U) == 0) ? Error::kNone
                                                                 : Error::kAuthFailed;
  }
  void onSegmentedSendDone(std::uint32_t, Error) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ScriptTimers timers;
  Rng rng(1);
  platform::Platform p{};
  p.timers = &timers;
  p.random = &rng;
  NodeConfig config;
  config.rx_seg_msg_count = 2;
  config.replay_list_size = 3;
  config.seg_rx_history = 2;
  KeyStore keys;
  (void)keys.addNetKey(0, Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  Network network(p, config, keys);
  ReplayProtectionList rpl(p, config.replay_list_size);
  LowerTransport lower(p, config, network, rpl);
  Sink sink;
  sink.lower = &lower;
  network.setUpper(&sink);
  lower.setUpper(&sink);
  (void)network.setElements(0x0001, 1);
  NullBearer bearer;
  (void)network.addInterface(&bearer);

  ByteReader r(ByteSpan(data, size));
  std::vector<std::uint8_t> payload(400);
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<std::uint8_t>(i);
  while (r.ok() && !r.atEnd()) {
    const std::uint8_t cmd = r.u8();
    switch (cmd % 4) {
      case 0: {  // a Lower Transport PDU from a peer
        NetworkRx rx;
        rx.interface = 0;
        rx.bearer = BearerType::kAdvertising;
        rx.header.ctl = (cmd & 0x10U) != 0;
        rx.header.ttl = static_cast<std::uint8_t>(r.u8() & 0x7FU);
        rx.header.seq = r.u24be();
        rx.header.src = static_cast<Address>(0x0100 + (cmd >> 5));
        rx.header.dst = (cmd & 0x08U) != 0 ? Address{0xC001} : Address{0x0001};
        rx.iv_index = (cmd & 0x04U) != 0 ? 1 : 0;
        rx.local_match = true;
        const std::size_t len = r.u8() % 17;
        rx.transport_pdu = r.bytes(len);
        if (!r.ok()) break;
        lower.onNetworkPdu(rx);
        break;
      }
      case 1:  // time passes
        timers.advance(millis(r.u16be() % 20000));
        break;
      case 2: {  // an outgoing transfer
        const std::size_t len = 1 + (std::size_t{r.u16be()} % 384);
        auto seq = network.allocateSeq(0x0001);
        if (!seq.ok()) break;
        LowerTransportTx tx;
        tx.src = 0x0001;
        tx.dst = (cmd & 0x08U) != 0 ? Address{0xC002} : Address{0x0100};
        tx.ttl = 5;
        tx.ctl = (cmd & 0x10U) != 0;
        tx.opcode = 0x0A;
        tx.akf = true;
        tx.upper_pdu = ByteSpan(payload.data(), tx.ctl ? std::min<std::size_t>(len, 256) : len);
        tx.seq = *seq;
        tx.segmented = (cmd & 0x20U) != 0;
        (void)lower.send(tx);
        break;
      }
      default:  // an acknowledgment for one of our transfers
      {
        NetworkRx rx;
        rx.interface = 0;
        rx.header.ctl = true;
        rx.header.ttl = 3;
        rx.header.seq = r.u24be();
        rx.header.src = 0x0100;
        rx.header.dst = 0x0001;
        rx.local_match = true;
        const SegmentAck ack{(cmd & 0x10U) != 0, static_cast<std::uint16_t>(r.u16be() & 0x1FFF),
                             r.u32be()};
        if (!r.ok()) break;
        const auto params = ack.encode();
        std::uint8_t pdu[7] = {0};
        std::copy(params.begin(), params.end(), pdu + 1);
        rx.transport_pdu = ByteSpan(pdu, sizeof pdu);
        lower.onNetworkPdu(rx);
        break;
      }
    }
  }
  timers.advance(seconds(120));
  if (lower.activeTransfers() != 0) __builtin_trap();  // every transfer ends
  return 0;
}
