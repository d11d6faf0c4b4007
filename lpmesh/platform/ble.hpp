// BLE controller: legacy advertising and passive scanning on LE 1M
// (DESIGN.md "The platform contract"). Connections come later.
#pragma once

#include <cstdint>
#include <span>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"

namespace lpm::platform {

inline constexpr std::size_t kBleMaxAdvData = 31;
inline constexpr Duration kBleByteTime = micros(8);  ///< LE 1M

/// Legacy advertising PDU types (Core Vol 6 Part B 2.3).
enum class AdvPduType : std::uint8_t {
  kAdvInd = 0,
  kAdvDirectInd = 1,
  kAdvNonconnInd = 2,
  kScanReq = 3,
  kScanRsp = 4,
  kConnectInd = 5,
  kAdvScanInd = 6,
};

/// Air time of a legacy advertising PDU with `adv_data_len` bytes of AdvData:
/// preamble 1 + access address 4 + header 2 + AdvA 6 + data + CRC 3.
constexpr Duration airtimeBleAdv(std::size_t adv_data_len) {
  return kBleByteTime * static_cast<std::int64_t>(1 + 4 + 2 + 6 + adv_data_len + 3);
}

struct AdvParams {
  Duration interval = millis(20);  ///< advInterval, 20 ms .. 10.24 s
  std::uint8_t channel_map = 0x07; ///< bit0 = 37, bit1 = 38, bit2 = 39
  std::int8_t tx_power_dbm = 0;
  AdvPduType type = AdvPduType::kAdvNonconnInd;
  /// Number of advertising events, 0 = until stopAdvertising().
  std::uint16_t num_events = 0;
};

struct ScanParams {
  Duration interval = millis(30);
  Duration window = millis(30);      ///< window == interval: continuous scanning
  std::uint8_t channel_map = 0x07;   ///< channels visited in turn, one per interval
};

struct AdvReport {
  BleAddress address{};
  AdvPduType type = AdvPduType::kAdvNonconnInd;
  std::span<const std::uint8_t> data;  ///< AdvData; valid during the callback only
  std::int8_t rssi_dbm = -127;
  std::uint8_t channel = 37;           ///< 37, 38 or 39
  LocalTime time{};                    ///< local time of the end of the PDU
};

class BleControllerClient {
 public:
  virtual ~BleControllerClient() = default;
  virtual void onAdvReport(const AdvReport& report) = 0;
  /// The num_events advertising events asked for are done (not called when stopped).
  virtual void onAdvertisingDone() {}
};

class BleController {
 public:
  virtual ~BleController() = default;
  virtual void setClient(BleControllerClient* client) = 0;
  virtual BleAddress address() const = 0;
  /// Starts (or restarts with new data) advertising. Each event sends the PDU on every
  /// channel of the map in order 37, 38, 39, and the next event starts
  /// interval + advDelay later, advDelay uniform in 0..10 ms. kInvalidArgs for data
  /// over 31 bytes or an empty channel map.
  virtual Error startAdvertising(const AdvParams& params, std::span<const std::uint8_t> data) = 0;
  virtual void stopAdvertising() = 0;
  virtual bool isAdvertising() const = 0;
  /// Passive scanning; reports every advertising PDU received while the window is open.
  /// Scanning pauses while this node's advertiser is on air (half-duplex).
  virtual Error startScanning(const ScanParams& params) = 0;
  virtual void stopScanning() = 0;
};

}  // namespace lpm::platform
