// Mesh Private Beacon Server model (Mesh Protocol 1.1 §4.4.6, messages of §4.3.?): the
// Private Beacon state and Random Update Interval Steps (applied to Beacons), and the
// Private GATT Proxy and Private Node Identity states, reported as not supported until the
// proxy feature exists. Device key only, on the primary element.
#pragma once

#include <cstdint>
#include <variant>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

class Beacons;

inline constexpr std::uint16_t kPrivateBeaconServerModelId = 0x000A;
inline constexpr std::uint16_t kPrivateBeaconClientModelId = 0x000B;

namespace op {
inline constexpr Opcode kPrivateBeaconGet = 0x8060;
inline constexpr Opcode kPrivateBeaconSet = 0x8061;
inline constexpr Opcode kPrivateBeaconStatus = 0x8062;
inline constexpr Opcode kPrivateGattProxyGet = 0x8063;
inline constexpr Opcode kPrivateGattProxySet = 0x8064;
inline constexpr Opcode kPrivateGattProxyStatus = 0x8065;
inline constexpr Opcode kPrivateNodeIdentityGet = 0x8066;
inline constexpr Opcode kPrivateNodeIdentitySet = 0x8067;
inline constexpr Opcode kPrivateNodeIdentityStatus = 0x8068;
}  // namespace op

using PrivateBeaconGet = ConfigEmptyMessage<op::kPrivateBeaconGet>;

/// Private Beacon Set: Private Beacon [, Random Update Interval Steps].
struct PrivateBeaconSet {
  static constexpr Opcode kOpcode = op::kPrivateBeaconSet;
  std::uint8_t private_beacon = 0;
  std::optional<std::uint8_t> random_update_interval_steps;
  static Result<PrivateBeaconSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PrivateBeaconSet&, const PrivateBeaconSet&) = default;
};

/// Private Beacon Status: Private Beacon, Random Update Interval Steps.
struct PrivateBeaconStatus {
  static constexpr Opcode kOpcode = op::kPrivateBeaconStatus;
  std::uint8_t private_beacon = 0;
  std::uint8_t random_update_interval_steps = 0;
  static Result<PrivateBeaconStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PrivateBeaconStatus&, const PrivateBeaconStatus&) = default;
};

using PrivateGattProxyGet = ConfigEmptyMessage<op::kPrivateGattProxyGet>;
using PrivateGattProxySet = ConfigOctetMessage<op::kPrivateGattProxySet>;
using PrivateGattProxyStatus = ConfigOctetMessage<op::kPrivateGattProxyStatus>;
using PrivateNodeIdentityGet = ConfigNetKeyIndexMessage<op::kPrivateNodeIdentityGet>;

/// Private Node Identity Set: NetKeyIndex, Private Identity.
struct PrivateNodeIdentitySet {
  static constexpr Opcode kOpcode = op::kPrivateNodeIdentitySet;
  NetKeyIndex net_idx = 0;
  std::uint8_t private_identity = 0;
  static Result<PrivateNodeIdentitySet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PrivateNodeIdentitySet&, const PrivateNodeIdentitySet&) = default;
};

/// Private Node Identity Status: Status, NetKeyIndex, Private Identity.
struct PrivateNodeIdentityStatus {
  static constexpr Opcode kOpcode = op::kPrivateNodeIdentityStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  std::uint8_t private_identity = 0;
  static Result<PrivateNodeIdentityStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PrivateNodeIdentityStatus&,
                         const PrivateNodeIdentityStatus&) = default;
};

using PrivateBeaconMessage =
    std::variant<PrivateBeaconGet, PrivateBeaconSet, PrivateBeaconStatus, PrivateGattProxyGet,
                 PrivateGattProxySet, PrivateGattProxyStatus, PrivateNodeIdentityGet,
                 PrivateNodeIdentitySet, PrivateNodeIdentityStatus>;
Result<PrivateBeaconMessage> parsePrivateBeaconMessage(Opcode opcode, ByteSpan params);

class PrivateBeaconServer final : public ModelHandler {
 public:
  PrivateBeaconServer(const platform::Platform& platform, Access& access, Network& network,
                      KeyStore& keys, Beacons& beacons);

  /// Adds the model to the primary element (device key only).
  Model& attach();

  std::uint64_t handled() const { return handled_; }
  std::uint64_t ignored() const { return ignored_; }

  // ModelHandler
  bool handles(Opcode opcode) const override;
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;

 private:
  bool handle(const MessageContext& ctx, const PrivateBeaconMessage& msg);

  const platform::Platform& platform_;
  Access& access_;
  Network& network_;
  KeyStore& keys_;
  Beacons& beacons_;
  std::uint64_t handled_ = 0;
  std::uint64_t ignored_ = 0;
};

}  // namespace lpm::btmesh
