// Mesh beacons (Mesh Protocol 1.1 §3.10): the Unprovisioned Device beacon, the Secure
// Network beacon and the Mesh Private beacon as value types, and the beacon behaviour of
// a provisioned node (§3.10.5 / Zephyr beacon.c): one Secure Network beacon and/or Mesh
// Private beacon per subnet at an interval derived from how many beacons the node observed
// (Beacon Interval = Observation Period x (Observed + 1) / Expected, 10-600 s), and
// reception: authentication against every subnet's current and new key, then Key Refresh
// and IV Update (through key_refresh.hpp and iv_update.hpp).
//
// Beacons travel as the payload of an AD structure of type «Mesh Beacon» (0x2B); the
// bearer (advertising bearer, or a GATT proxy) moves the octets, this module owns them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/security.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

class IvUpdate;
class KeyRefresh;

enum class BeaconType : std::uint8_t {
  kUnprovisionedDevice = 0x00,
  kSecureNetwork = 0x01,
  kMeshPrivate = 0x02,
};

/// Flags octet of the Secure Network beacon and of the Private Beacon Data (§3.10.3):
/// bit 0 Key Refresh, bit 1 IV Update, bits 2-7 RFU.
struct BeaconFlags {
  bool key_refresh = false;
  bool iv_update = false;
  constexpr std::uint8_t encode() const {
    return static_cast<std::uint8_t>((key_refresh ? 1U : 0U) | (iv_update ? 2U : 0U));
  }
  static constexpr BeaconFlags decode(std::uint8_t v) {
    return BeaconFlags{(v & 1U) != 0, (v & 2U) != 0};
  }
  friend bool operator==(const BeaconFlags&, const BeaconFlags&) = default;
};

/// Unprovisioned Device beacon (§3.10.2): 0x00 || Device UUID || OOB Information (BE)
/// [|| URI Hash (4)].
struct UnprovisionedDeviceBeacon {
  std::array<std::uint8_t, 16> uuid{};
  std::uint16_t oob_info = 0;
  std::optional<std::array<std::uint8_t, 4>> uri_hash;

  /// The beacon with its type octet. kTruncated / kTrailing for a size other than 19 or
  /// 23, kMalformed for another beacon type.
  static Result<UnprovisionedDeviceBeacon> parse(ByteSpan beacon);
  Bytes encode() const;
  /// URI Hash = the 4 most significant octets of s1(URI Data) (§3.10.2).
  static std::array<std::uint8_t, 4> uriHash(ByteSpan uri_data);
  friend bool operator==(const UnprovisionedDeviceBeacon&,
                         const UnprovisionedDeviceBeacon&) = default;
};

/// Secure Network beacon (§3.10.3): 0x01 || Flags || Network ID (8) || IV Index (4, BE) ||
/// Authentication Value (8) = 22 octets.
struct SecureNetworkBeacon {
  static constexpr std::size_t kSize = 22;
  std::uint8_t flags = 0;  ///< raw octet; see BeaconFlags
  NetworkId network_id{};
  std::uint32_t iv_index = 0;
  std::array<std::uint8_t, 8> auth{};

  /// kTruncated / kTrailing for another size, kMalformed for another beacon type.
  static Result<SecureNetworkBeacon> parse(ByteSpan beacon);
  Bytes encode() const;
  /// A beacon secured with `beacon_key`: Authentication Value = the first 8 octets of
  /// AES-CMAC_BeaconKey(Flags || Network ID || IV Index).
  static SecureNetworkBeacon create(const Key& beacon_key, const NetworkId& network_id,
                                    BeaconFlags flags, std::uint32_t iv_index);
  /// Whether the Authentication Value verifies with `beacon_key`.
  bool authenticate(const Key& beacon_key) const;
  BeaconFlags beaconFlags() const { return BeaconFlags::decode(flags); }
  friend bool operator==(const SecureNetworkBeacon&, const SecureNetworkBeacon&) = default;
};

/// Private Beacon Data (§3.10.4): Flags || IV Index.
struct PrivateBeaconData {
  std::uint8_t flags = 0;
  std::uint32_t iv_index = 0;
  friend bool operator==(const PrivateBeaconData&, const PrivateBeaconData&) = default;
};

/// Mesh Private beacon (§3.10.4): 0x02 || Random (13) || Obfuscated Private Beacon Data (5)
/// || Authentication Tag (8) = 27 octets. The obfuscation and tag are AES-CCM with the
/// PrivateBeaconKey, Random as the 13-octet nonce, no additional data and a 64-bit MIC.
struct MeshPrivateBeacon {
  static constexpr std::size_t kSize = 27;
  using Random = std::array<std::uint8_t, 13>;
  Random random{};
  std::array<std::uint8_t, 5> obfuscated_data{};
  std::array<std::uint8_t, 8> auth_tag{};

  /// kTruncated / kTrailing for another size, kMalformed for another beacon type.
  static Result<MeshPrivateBeacon> parse(ByteSpan beacon);
  Bytes encode() const;
  static MeshPrivateBeacon create(const Key& private_beacon_key, const Random& random,
                                  const PrivateBeaconData& data);
  /// Deobfuscates and checks the tag with `private_beacon_key` (kAuthFailed).
  Result<PrivateBeaconData> open(const Key& private_beacon_key) const;
  friend bool operator==(const MeshPrivateBeacon&, const MeshPrivateBeacon&) = default;
};

/// The type octet of a beacon; kTruncated when empty, kUnsupported for an RFU type.
Result<BeaconType> beaconType(ByteSpan beacon);

/// Where beacons go: the advertising bearer (AD type 0x2B) or a proxy connection.
class BeaconBearer {
 public:
  virtual ~BeaconBearer() = default;
  /// Queues one beacon (a copy is taken); kNoBufs when the bearer's buffers are full.
  virtual Error sendBeacon(ByteSpan beacon) = 0;
};

struct BeaconStats {
  std::uint64_t tx_secure = 0;
  std::uint64_t tx_private = 0;
  std::uint64_t tx_no_bufs = 0;
  std::uint64_t rx = 0;
  std::uint64_t rx_secure = 0;   ///< authenticated Secure Network beacons
  std::uint64_t rx_private = 0;  ///< authenticated Mesh Private beacons
  std::uint64_t drop_malformed = 0;
  std::uint64_t drop_unknown_network = 0;  ///< no subnet's key authenticated it
  std::uint64_t drop_old_key = 0;          ///< old key while the subnet is in Key Refresh phase 2
  std::uint64_t drop_secondary_iv = 0;     ///< IV information on a secondary subnet ignored
};

/// Timing of the beacon behaviour (§3.10.5, Zephyr defaults).
struct BeaconTiming {
  /// How often the node checks whether a subnet's beacon is due (Zephyr: 10 s).
  Duration tick = seconds(10);
  /// Observation Period: twice the typical 10 s interval (§3.10.5: "should typically be
  /// double the typical Beacon Interval").
  Duration observation_period = seconds(20);
  /// The interval the Expected Number of Beacons is based on.
  Duration expected_interval = seconds(10);
  Duration min_interval = seconds(10);
  Duration max_interval = seconds(600);
};

/// Secure Network and Mesh Private beacon behaviour of one node.
class Beacons {
 public:
  /// `keys` must outlive the Beacons.
  Beacons(const platform::Platform& platform, KeyStore& keys, BeaconTiming timing = {});
  ~Beacons();
  Beacons(const Beacons&) = delete;
  Beacons& operator=(const Beacons&) = delete;

  void setBearer(BeaconBearer* bearer) { bearer_ = bearer; }
  /// IV Update and Key Refresh procedures fed by received beacons (either may be null).
  void setProcedures(IvUpdate* iv_update, KeyRefresh* key_refresh);

  /// Arms the beacon timer; the first beacons go out after a random 0..tick delay.
  void start();
  void stop();

  /// Beacon state (§4.2.10): Secure Network beacons on or off.
  void setSecureBeaconEnabled(bool enabled);
  bool secureBeaconEnabled() const { return secure_enabled_; }
  /// Private Beacon state (§4.2.44) and Random Update Interval Steps (x 10 s; 0 = new
  /// Random for every beacon).
  void setPrivateBeacon(bool enabled, std::uint8_t random_update_interval_steps = 0x3C);
  bool privateBeaconEnabled() const { return private_enabled_; }
  std::uint8_t randomUpdateIntervalSteps() const { return random_update_steps_; }

  /// A beacon received from a bearer (the AD payload after type 0x2B).
  void receive(ByteSpan beacon, std::int8_t rssi = 127);

  /// Sends every due-or-not beacon of `net_idx` now (after a Key Refresh or IV Index
  /// change §3.10.5 asks for prompt beacons); kNotFound for an unknown subnet.
  Error sendNow(NetKeyIndex net_idx);
  /// Sends beacons for every subnet now.
  void sendAllNow();

  /// The Secure Network beacon this node would send for a subnet right now.
  Result<SecureNetworkBeacon> secureBeacon(NetKeyIndex net_idx) const;
  /// The interval the node currently applies to a subnet's beacons.
  Duration beaconInterval(NetKeyIndex net_idx) const;
  /// Beacons of the subnet observed in the last completed observation period.
  std::uint32_t observedBeacons(NetKeyIndex net_idx) const;

  const BeaconStats& stats() const { return stats_; }

 private:
  struct SubnetBeacons {
    NetKeyIndex net_idx = 0;
    std::uint32_t observed_current = 0;  ///< in the running observation period
    std::uint32_t observed_last = 0;     ///< in the last completed one
    LocalTime last_sent{};
    bool sent_once = false;
  };

  void onTick();
  SubnetBeacons& track(NetKeyIndex net_idx);
  const SubnetBeacons* find(NetKeyIndex net_idx) const;
  void sync();
  bool secureRunning() const;
  BeaconFlags flagsOf(const Subnet& s) const;
  void sendFor(const Subnet& s, SubnetBeacons& b);
  void regenerateRandom();
  void onSecure(const SecureNetworkBeacon& beacon);
  void onPrivate(const MeshPrivateBeacon& beacon);
  void apply(const Subnet& s, std::uint8_t slot, BeaconFlags flags, std::uint32_t iv_index);

  const platform::Platform& platform_;
  KeyStore& keys_;
  BeaconTiming timing_;
  BeaconBearer* bearer_ = nullptr;
  IvUpdate* iv_update_ = nullptr;
  KeyRefresh* key_refresh_ = nullptr;
  bool secure_enabled_ = true;
  bool private_enabled_ = false;
  std::uint8_t random_update_steps_ = 0x3C;
  MeshPrivateBeacon::Random random_{};
  LocalTime random_time_{};
  bool random_valid_ = false;
  LocalTime observation_start_{};
  bool running_ = false;
  std::vector<SubnetBeacons> subnets_;
  BeaconStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&Beacons::onTick>};
};

}  // namespace lpm::btmesh
