// A simulated node's BLE controller: legacy advertising and passive scanning on LE 1M
// over a medium port (issue #2 §4; Core v5.4 Vol 6 Part B §4.4.2, §4.4.3).
//
// Advertising: each advertising event sends the PDU on the mapped channels in the order
// 37, 38, 39, kBleAdvPduSpacing apart (end of one PDU to start of the next; the radio
// is charged the receive current while it re-tunes, and hears nothing). The next event starts
// advInterval + advDelay after this one's start, advDelay uniform in 0..10 ms (1 µs steps) from the
// node's RngStream::kMac stream; intervals are measured on the node's drifting clock. PDU: header
// (type, ChSel 0, TxAdd = 1 for a static random address, i.e. the two most significant bits set,
// else 0; length), AdvA (little-endian on air), AdvData, CRC-24 with the advertising-channel init
// 0x555555.
//
// Scanning: interval i opens a window of `window` on the i-th mapped channel (37, 38,
// 39 in turn); with window == interval the radio listens continuously, changing channel
// each interval. Scanning pauses for the whole of an own advertising event
// (half-duplex) and resumes afterwards if the window is still open. Reports carry the
// received power as RSSI and the local time of the PDU's end.
#pragma once

#include <array>
#include <cstdint>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/platform/ble.hpp"
#include "lpmesh/sim/clock.hpp"
#include "lpmesh/sim/kernel.hpp"
#include "lpmesh/sim/medium.hpp"

namespace lpm::sim {

/// Gap between the PDUs of one advertising event (end to start).
inline constexpr Duration kBleAdvPduSpacing = micros(150);
/// advDelay upper bound (Core Vol 6 Part B §4.4.2.2.1).
inline constexpr Duration kBleAdvDelayMax = millis(10);

class SimBleController final : public platform::BleController, public PortClient {
 public:
  SimBleController(Kernel& kernel, Medium& medium, const NodeClock& clock, Rng& mac_rng,
                   BleAddress address);
  ~SimBleController() override;
  SimBleController(const SimBleController&) = delete;
  SimBleController& operator=(const SimBleController&) = delete;

  void bindPort(std::uint32_t port) { port_ = port; }
  std::uint32_t port() const { return port_; }
  /// The counters the medium keeps for this radio.
  RadioStats& stats() { return stats_; }
  void powerOff();
  void powerOn();

  // platform::BleController
  void setClient(platform::BleControllerClient* client) override { client_ = client; }
  BleAddress address() const override { return address_; }
  Error startAdvertising(const platform::AdvParams& params,
                         std::span<const std::uint8_t> data) override;
  void stopAdvertising() override;
  bool isAdvertising() const override { return advertising_; }
  Error startScanning(const platform::ScanParams& params) override;
  void stopScanning() override;

  // PortClient
  void onFrameReceived(const TxRecord& tx, const RxMeasure& measure) override;
  void onTransmitEnd(const TxRecord& tx, bool aborted) override;

 private:
  enum EventCode : std::uint64_t { kAdvEventStart, kAdvSendPdu, kScanWindowEnd, kScanNextInterval };

  static void onEvent(void* self, std::uint64_t code);
  void startEvent();
  void sendPdu();
  void endEvent();
  void beginScanInterval(LocalTime start);
  void applyRadio();
  static std::uint8_t mapChannels(std::uint8_t map, std::array<std::uint8_t, 3>& out);

  Kernel& kernel_;
  Medium& medium_;
  const NodeClock& clock_;
  Rng& rng_;
  BleAddress address_;
  RadioStats stats_;
  std::uint32_t port_ = kNoPort;
  platform::BleControllerClient* client_ = nullptr;

  bool powered_ = false;  ///< node power; requests while off fail with kInvalidState

  // Advertising.
  bool advertising_ = false;
  platform::AdvParams adv_params_{};
  std::array<std::uint8_t, 2 + 6 + platform::kBleMaxAdvData + 3> pdu_{};
  std::uint8_t pdu_len_ = 0;  ///< header + payload + CRC
  std::array<std::uint8_t, 3> adv_channels_{};
  std::uint8_t adv_channel_count_ = 0;
  std::uint8_t pdu_index_ = 0;
  bool in_event_ = false;
  bool pdu_on_air_ = false;
  bool restart_pending_ = false;
  std::uint32_t events_done_ = 0;
  LocalTime event_start_{};
  EventId adv_event_{};

  // Scanning.
  bool scanning_ = false;
  platform::ScanParams scan_params_{};
  std::array<std::uint8_t, 3> scan_channels_{};
  std::uint8_t scan_channel_count_ = 0;
  std::uint8_t scan_index_ = 0;
  bool window_open_ = false;
  LocalTime interval_start_{};
  EventId scan_event_{};
};

}  // namespace lpm::sim
