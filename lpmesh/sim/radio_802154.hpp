// A simulated node's IEEE 802.15.4 radio: platform::Radio802154 over a medium port
// (issue #2 §4).
//
// Timing (IEEE 802.15.4-2020 §11.3 / Table 11-1 constants):
//  - transmit without CCA: the SHR starts aTurnaroundTime (192 µs) after the request;
//  - transmit with CCA: CCA over 8 symbols (128 µs), then aTurnaroundTime, so the SHR
//    starts 320 µs after the request; CCA reports busy when the highest energy seen in
//    the window (signals + noise) is >= the CCA threshold;
//  - transmit at a local time: the SHR starts exactly then, the CCA window (if any) and
//    turnaround precede it; a time too early for that lead starts as soon as possible;
//  - while preparing (CCA, turnaround) and transmitting, the radio takes no frame;
//    the receiver current is charged during CCA and turnaround.
// The FCS (CRC-16) is appended on air. Received frames are delivered at their end with
// RSSI = received signal power (dBm, rounded), LQI from the lowest SINR over the frame
// (phy_model.hpp lqiFromSinrDb), and the SFD time (SHR start + 160 µs; propagation delay
// ignored) in the node's local time.
#pragma once

#include <cstdint>
#include <optional>

#include "lpmesh/platform/radio802154.hpp"
#include "lpmesh/sim/clock.hpp"
#include "lpmesh/sim/kernel.hpp"
#include "lpmesh/sim/medium.hpp"

namespace lpm::sim {

class SimRadio802154 final : public platform::Radio802154, public PortClient {
 public:
  SimRadio802154(Kernel& kernel, Medium& medium, const NodeClock& clock, Eui64 eui64);
  ~SimRadio802154() override;
  SimRadio802154(const SimRadio802154&) = delete;
  SimRadio802154& operator=(const SimRadio802154&) = delete;

  void bindPort(std::uint32_t port) { port_ = port; }
  std::uint32_t port() const { return port_; }
  /// The counters the medium keeps for this radio.
  RadioStats& stats() { return stats_; }
  /// Node power off: everything stops without callbacks; the port goes to kOff.
  void powerOff();
  /// Node power on: radio asleep, defaults restored.
  void powerOn();

  // platform::Radio802154
  void setClient(platform::Radio802154Client* client) override { client_ = client; }
  Eui64 eui64() const override { return eui64_; }
  Error transmit(const platform::Tx802154& tx) override;
  Error receive(std::uint8_t channel) override;
  void sleep() override;
  Error energyDetect(std::uint8_t channel, Duration duration) override;
  std::int8_t rssiNow() const override;
  void setCcaThreshold(std::int8_t dbm) override { cca_threshold_dbm_ = dbm; }

  // PortClient
  void onFrameReceived(const TxRecord& tx, const RxMeasure& measure) override;
  void onTransmitEnd(const TxRecord& tx, bool aborted) override;

 private:
  enum class Op : std::uint8_t { kIdle, kWaitLead, kCca, kTurnaround, kTx, kEnergyDetect };
  enum EventCode : std::uint64_t { kLeadStart, kCcaEnd, kTxStart, kEdEnd, kNotifyAbort };

  static void onEvent(void* self, std::uint64_t code);
  void beginLead();
  void startFrame();
  void releasePending();
  void restoreReceiver();
  void cancelOp();

  Kernel& kernel_;
  Medium& medium_;
  const NodeClock& clock_;
  RadioStats stats_;
  Eui64 eui64_;
  std::uint32_t port_ = kNoPort;
  platform::Radio802154Client* client_ = nullptr;
  std::int8_t cca_threshold_dbm_;
  Op op_ = Op::kIdle;
  bool powered_ = false;  ///< node power; requests while off fail with kInvalidState
  EventId event_{};
  EventId notify_event_{};
  bool rx_on_ = false;
  std::uint8_t rx_channel_ = platform::k802154MinChannel;
  // The pending transmission: its medium record is filled at transmit().
  TxRecord* tx_rec_ = nullptr;
  std::uint8_t tx_channel_ = platform::k802154MinChannel;
  bool tx_cca_ = false;
  SimTime tx_start_{};
  std::uint8_t ed_channel_ = platform::k802154MinChannel;
};

}  // namespace lpm::sim
