// Advertising bearer (Mesh Protocol 1.1 §3.3.1, §3.4.5.4): Network PDUs in ADV_NONCONN_IND
// PDUs as the «Mesh Message» AD type (0x2A), mesh beacons as «Mesh Beacon» (0x2B), passive
// scanning with a configurable duty cycle. Originated and relayed PDUs share one advertiser
// through a bounded queue of advertising buffers; a full queue drops the PDU and counts it
// (Zephyr's "Out of relay/adv buffers").
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// AD types (Bluetooth Assigned Numbers, Generic Access Profile).
inline constexpr std::uint8_t kAdTypePbAdv = 0x29;
inline constexpr std::uint8_t kAdTypeMeshMessage = 0x2A;
inline constexpr std::uint8_t kAdTypeMeshBeacon = 0x2B;
/// A legacy advertising PDU carries 31 octets of AdvData: length, AD type and 29 octets.
inline constexpr std::size_t kMaxAdPayload = platform::kBleMaxAdvData - 2;
/// Legacy ADV_NONCONN_IND intervals below 20 ms are not allowed (Core Vol 6 Part B 4.4.2.2).
inline constexpr Duration kMinAdvInterval = millis(20);

/// Mesh beacons and PB-ADV PDUs heard on the bearer (beacon and provisioning modules).
class AdvBearerListener {
 public:
  virtual ~AdvBearerListener() = default;
  virtual void onMeshBeacon(ByteSpan /*beacon*/, std::int8_t /*rssi*/) {}
  virtual void onPbAdv(ByteSpan /*pdu*/, std::int8_t /*rssi*/) {}
};

struct AdvBearerStats {
  std::uint64_t queued = 0;
  std::uint64_t sent = 0;          ///< advertising sets started (each with its transmissions)
  std::uint64_t dropped_full = 0;  ///< no free advertising buffer
  std::uint64_t rx_messages = 0;
  std::uint64_t rx_beacons = 0;
  std::uint64_t rx_malformed = 0;  ///< AD structures that overrun the AdvData
};

class AdvertisingBearer final : public NetworkInterface, public platform::BleControllerClient {
 public:
  /// `platform.ble` must be set.
  AdvertisingBearer(const platform::Platform& platform, const NodeConfig& config);
  ~AdvertisingBearer() override;
  AdvertisingBearer(const AdvertisingBearer&) = delete;
  AdvertisingBearer& operator=(const AdvertisingBearer&) = delete;

  /// Where received Mesh Messages go (the interface id the network gave this bearer).
  void attach(Network* network, InterfaceId interface) {
    network_ = network;
    interface_ = interface;
  }
  void setListener(AdvBearerListener* listener) { listener_ = listener; }

  /// Takes the controller and starts scanning.
  Error start();
  /// Stops scanning and advertising; queued PDUs are discarded.
  void stop();

  /// Queues a beacon (AD type 0x2B) with the given transmissions.
  Error sendBeacon(ByteSpan beacon, TransmitState transmit);
  /// Queues a PB-ADV PDU (AD type 0x29).
  Error sendPbAdv(ByteSpan pdu, TransmitState transmit);

  // NetworkInterface
  BearerType bearerType() const override { return BearerType::kAdvertising; }
  Error transmit(const OutboundPdu& pdu) override;

  // platform::BleControllerClient
  void onAdvReport(const platform::AdvReport& report) override;
  void onAdvertisingDone() override;

  const AdvBearerStats& stats() const { return stats_; }
  std::size_t queueLength() const { return count_; }

 private:
  struct Buffer {
    std::array<std::uint8_t, platform::kBleMaxAdvData> data{};
    std::uint8_t len = 0;
    TransmitState transmit{};
  };
  Error enqueue(std::uint8_t ad_type, ByteSpan payload, TransmitState transmit);
  void startNext();

  const platform::Platform& platform_;
  const NodeConfig& config_;
  Network* network_ = nullptr;
  InterfaceId interface_ = 0;
  AdvBearerListener* listener_ = nullptr;
  std::vector<Buffer> queue_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool advertising_ = false;
  bool started_ = false;
  AdvBearerStats stats_{};
};

}  // namespace lpm::btmesh
