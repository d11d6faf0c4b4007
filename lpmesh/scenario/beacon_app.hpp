// The built-in `beacon` application (issue #2 §5): every node broadcasts a raw frame
// every period on one PHY and channel, and listens in between. It is a platform::Stack
// like any protocol stack and sees the world only through platform interfaces.
//
// IEEE 802.15.4: a data frame, broadcast, PAN ID compressed, short addresses (IEEE
// 802.15.4-2006 §7.2.2.2), the receiver on between transmissions.
// BLE: ADV_NONCONN_IND on the configured advertising channels with one
// manufacturer-specific AD structure, the scanner on continuously.
// Both carry the sender's node id and a counter, so a receiver knows exactly which
// transmission it heard (the PRR-against-distance metric needs that).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::scenario {

enum class BeaconPhy : std::uint8_t { kIeee802154, kBle };

struct BeaconParams {
  BeaconPhy phy = BeaconPhy::kIeee802154;
  std::uint8_t channel = 26;            ///< 802.15.4 channel 11..26
  std::uint8_t ble_channel_map = 0x07;  ///< bit0 = 37, bit1 = 38, bit2 = 39
  Duration period = seconds(1);
  /// Each transmission is delayed by a uniform 0..jitter from its slot (not cumulative).
  Duration jitter{0};
  /// Delay after power-on before the first period starts (phase is random within it).
  Duration start_delay{0};
  /// 802.15.4: MPDU bytes without FCS (19..125); BLE: AdvData bytes (14..31).
  std::size_t size = 32;
  std::uint16_t pan_id = 0xabcd;
  std::int8_t tx_power_dbm = 0;
  bool cca = false;  ///< 802.15.4: CCA before each frame; busy = not sent this period
};

inline constexpr std::size_t kBeacon802154MinSize = 19;
inline constexpr std::size_t kBeaconBleMinSize = 14;
/// Company identifier 0xFFFF: reserved by the Bluetooth SIG for tests.
inline constexpr std::uint16_t kBeaconCompanyId = 0xffff;
/// First payload bytes. 0x3F is a 6LoWPAN "not a LoWPAN frame" dispatch (RFC 4944 §5.1),
/// so readers such as Wireshark show the payload as data instead of guessing a protocol.
inline constexpr std::array<std::uint8_t, 2> kBeaconMagic{0x3f, 0x4c};

/// What one beacon frame identifies.
struct BeaconId {
  NodeId node = 0;
  std::uint32_t counter = 0;
};

/// Encodes the 802.15.4 MPDU (no FCS) of beacon `id`, `size` bytes long (clamped to the
/// valid range).
Bytes encodeBeacon802154(BeaconId id, std::uint16_t pan_id, std::size_t size);
/// The beacon in an MPDU; kMalformed when it is not a beacon frame of `pan_id`.
Result<BeaconId> decodeBeacon802154(ByteSpan mpdu, std::uint16_t pan_id);
/// Encodes the AdvData of beacon `id`, `size` bytes long (clamped to the valid range).
Bytes encodeBeaconAdvData(BeaconId id, std::size_t size);
/// The beacon in AdvData; kNotFound when no beacon AD structure is present, kMalformed
/// for a broken AD structure list.
Result<BeaconId> decodeBeaconAdvData(ByteSpan adv_data);

/// Receives what beacon instances do (the scenario's beacon kind counts it).
class BeaconObserver {
 public:
  virtual ~BeaconObserver() = default;
  virtual void onBeaconUp(NodeId node, BeaconPhy phy) = 0;
  virtual void onBeaconDown(NodeId node, BeaconPhy phy) = 0;
  /// A beacon left the radio (802.15.4: tx done OK; BLE: advertising event done).
  virtual void onBeaconSent(NodeId node, BeaconPhy phy, std::uint32_t counter) = 0;
  /// The radio was busy, refused the request or CCA failed: nothing sent this period.
  virtual void onBeaconSkipped(NodeId node, BeaconPhy phy) = 0;
  virtual void onBeaconReceived(NodeId receiver, BeaconPhy phy, BeaconId beacon,
                                std::int8_t rssi_dbm) = 0;
};

class BeaconApp final : public platform::Stack,
                        private platform::Radio802154Client,
                        private platform::BleControllerClient {
 public:
  /// `observer` may be null. The platform must have the radio `params.phy` names.
  BeaconApp(platform::Platform& platform, const BeaconParams& params, BeaconObserver* observer);
  ~BeaconApp() override;
  BeaconApp(const BeaconApp&) = delete;
  BeaconApp& operator=(const BeaconApp&) = delete;

  void start() override;

  std::uint32_t nextCounter() const { return counter_; }

 private:
  // Counters survive reboots through Settings, reserved in blocks so a reboot never reuses
  // one (the way firmware persists sequence numbers without writing every frame).
  static constexpr std::uint32_t kCounterBlock = 1024;

  void onTxTimer();
  void scheduleNext();
  void transmit();
  std::uint32_t takeCounter();

  void onTxDone(platform::TxStatus status, LocalTime sfd_time) override;
  void onRx(const platform::Rx802154& frame) override;
  void onAdvReport(const platform::AdvReport& report) override;
  void onAdvertisingDone() override;

  platform::Platform& platform_;
  BeaconParams params_;
  BeaconObserver* observer_;
  platform::Timer tx_timer_{this, &platform::Timer::thunk<&BeaconApp::onTxTimer>};
  LocalTime slot_{};             ///< start of the current period
  std::uint32_t counter_ = 0;    ///< next counter to send
  std::uint32_t reserved_ = 0;   ///< counters below this are reserved in Settings
  std::uint32_t in_flight_ = 0;  ///< counter of the frame on air
  bool busy_ = false;
  bool started_ = false;
  Bytes frame_;
};

}  // namespace lpm::scenario
