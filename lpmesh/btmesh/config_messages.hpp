// Configuration messages of the Configuration Server and Client models (Mesh Protocol 1.1
// §4.3.2): opcodes (§4.3.4), status codes (§4.3.5), and one value type per message with
// parse/encode of its parameters. Parameters are little-endian (§4.3.1); NetKey and AppKey
// indexes are 12-bit, two of them pack into three octets (§4.3.1.1).
//
// Decoders check structure (exact length, 12-bit indexes, SIG/vendor model identifier by
// size). Prohibited *values* (a Beacon Set of 0x02, a Default TTL of 0x01 ...) decode; the
// Configuration Server decides what to do with them (it ignores the message, §4.4.1.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/security.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"

namespace lpm::btmesh {

// ---------------------------------------------------------------------------------------
// Model identifiers of the foundation and generic models (Assigned Numbers)

inline constexpr std::uint16_t kConfigServerModelId = 0x0000;
inline constexpr std::uint16_t kConfigClientModelId = 0x0001;
inline constexpr std::uint16_t kHealthServerModelId = 0x0002;
inline constexpr std::uint16_t kHealthClientModelId = 0x0003;
inline constexpr std::uint16_t kGenericOnOffServerModelId = 0x1000;
inline constexpr std::uint16_t kGenericOnOffClientModelId = 0x1001;

// ---------------------------------------------------------------------------------------
// Opcodes (§4.3.4; values as Zephyr's foundation.h)

namespace op {
inline constexpr Opcode kAppKeyAdd = 0x00;
inline constexpr Opcode kAppKeyUpdate = 0x01;
inline constexpr Opcode kCompositionDataStatus = 0x02;
inline constexpr Opcode kModelPublicationSet = 0x03;
inline constexpr Opcode kHeartbeatPublicationStatus = 0x06;
inline constexpr Opcode kAppKeyDelete = 0x8000;
inline constexpr Opcode kAppKeyGet = 0x8001;
inline constexpr Opcode kAppKeyList = 0x8002;
inline constexpr Opcode kAppKeyStatus = 0x8003;
inline constexpr Opcode kCompositionDataGet = 0x8008;
inline constexpr Opcode kBeaconGet = 0x8009;
inline constexpr Opcode kBeaconSet = 0x800A;
inline constexpr Opcode kBeaconStatus = 0x800B;
inline constexpr Opcode kDefaultTtlGet = 0x800C;
inline constexpr Opcode kDefaultTtlSet = 0x800D;
inline constexpr Opcode kDefaultTtlStatus = 0x800E;
inline constexpr Opcode kFriendGet = 0x800F;
inline constexpr Opcode kFriendSet = 0x8010;
inline constexpr Opcode kFriendStatus = 0x8011;
inline constexpr Opcode kGattProxyGet = 0x8012;
inline constexpr Opcode kGattProxySet = 0x8013;
inline constexpr Opcode kGattProxyStatus = 0x8014;
inline constexpr Opcode kKeyRefreshPhaseGet = 0x8015;
inline constexpr Opcode kKeyRefreshPhaseSet = 0x8016;
inline constexpr Opcode kKeyRefreshPhaseStatus = 0x8017;
inline constexpr Opcode kModelPublicationGet = 0x8018;
inline constexpr Opcode kModelPublicationStatus = 0x8019;
inline constexpr Opcode kModelPublicationVirtualAddressSet = 0x801A;
inline constexpr Opcode kModelSubscriptionAdd = 0x801B;
inline constexpr Opcode kModelSubscriptionDelete = 0x801C;
inline constexpr Opcode kModelSubscriptionDeleteAll = 0x801D;
inline constexpr Opcode kModelSubscriptionOverwrite = 0x801E;
inline constexpr Opcode kModelSubscriptionStatus = 0x801F;
inline constexpr Opcode kModelSubscriptionVirtualAddressAdd = 0x8020;
inline constexpr Opcode kModelSubscriptionVirtualAddressDelete = 0x8021;
inline constexpr Opcode kModelSubscriptionVirtualAddressOverwrite = 0x8022;
inline constexpr Opcode kNetworkTransmitGet = 0x8023;
inline constexpr Opcode kNetworkTransmitSet = 0x8024;
inline constexpr Opcode kNetworkTransmitStatus = 0x8025;
inline constexpr Opcode kRelayGet = 0x8026;
inline constexpr Opcode kRelaySet = 0x8027;
inline constexpr Opcode kRelayStatus = 0x8028;
inline constexpr Opcode kSigModelSubscriptionGet = 0x8029;
inline constexpr Opcode kSigModelSubscriptionList = 0x802A;
inline constexpr Opcode kVendorModelSubscriptionGet = 0x802B;
inline constexpr Opcode kVendorModelSubscriptionList = 0x802C;
inline constexpr Opcode kLpnPollTimeoutGet = 0x802D;
inline constexpr Opcode kLpnPollTimeoutStatus = 0x802E;
inline constexpr Opcode kHeartbeatPublicationGet = 0x8038;
inline constexpr Opcode kHeartbeatPublicationSet = 0x8039;
inline constexpr Opcode kHeartbeatSubscriptionGet = 0x803A;
inline constexpr Opcode kHeartbeatSubscriptionSet = 0x803B;
inline constexpr Opcode kHeartbeatSubscriptionStatus = 0x803C;
inline constexpr Opcode kModelAppBind = 0x803D;
inline constexpr Opcode kModelAppStatus = 0x803E;
inline constexpr Opcode kModelAppUnbind = 0x803F;
inline constexpr Opcode kNetKeyAdd = 0x8040;
inline constexpr Opcode kNetKeyDelete = 0x8041;
inline constexpr Opcode kNetKeyGet = 0x8042;
inline constexpr Opcode kNetKeyList = 0x8043;
inline constexpr Opcode kNetKeyStatus = 0x8044;
inline constexpr Opcode kNetKeyUpdate = 0x8045;
inline constexpr Opcode kNodeIdentityGet = 0x8046;
inline constexpr Opcode kNodeIdentitySet = 0x8047;
inline constexpr Opcode kNodeIdentityStatus = 0x8048;
inline constexpr Opcode kNodeReset = 0x8049;
inline constexpr Opcode kNodeResetStatus = 0x804A;
inline constexpr Opcode kSigModelAppGet = 0x804B;
inline constexpr Opcode kSigModelAppList = 0x804C;
inline constexpr Opcode kVendorModelAppGet = 0x804D;
inline constexpr Opcode kVendorModelAppList = 0x804E;
}  // namespace op

// ---------------------------------------------------------------------------------------
// Status codes (§4.3.5, Table 4.?: "Summary of status codes")

enum class ConfigStatus : std::uint8_t {
  kSuccess = 0x00,
  kInvalidAddress = 0x01,
  kInvalidModel = 0x02,
  kInvalidAppKeyIndex = 0x03,
  kInvalidNetKeyIndex = 0x04,
  kInsufficientResources = 0x05,
  kKeyIndexAlreadyStored = 0x06,
  kInvalidPublishParameters = 0x07,
  kNotASubscribeModel = 0x08,
  kStorageFailure = 0x09,
  kFeatureNotSupported = 0x0A,
  kCannotUpdate = 0x0B,
  kCannotRemove = 0x0C,
  kCannotBind = 0x0D,
  kTemporarilyUnableToChangeState = 0x0E,
  kCannotSet = 0x0F,
  kUnspecifiedError = 0x10,
  kInvalidBinding = 0x11,
};

/// Stable lower-case name of a status code ("invalid_netkey_index" ...).
std::string_view configStatusName(ConfigStatus status);

// ---------------------------------------------------------------------------------------
// Field helpers shared by the foundation model codecs

/// Reads a 16-bit little-endian NetKey/AppKey index; kMalformed when above 0xFFF.
std::uint16_t readKeyIndex(ByteReader& r);
/// Two 12-bit indexes packed into 3 octets (§4.3.1.1): first in the low 12 bits.
void writeKeyIndexPair(VectorWriter& w, std::uint16_t first, std::uint16_t second);
std::pair<std::uint16_t, std::uint16_t> readKeyIndexPair(ByteReader& r);
/// A list of key indexes: pairs in 3 octets, an odd last one in 2 (§4.3.1.1).
void writeKeyIndexList(VectorWriter& w, const std::vector<std::uint16_t>& indexes);
/// Reads every remaining octet as a key index list; kMalformed for a length that is not
/// a multiple of 3 plus 0 or 2.
std::vector<std::uint16_t> readKeyIndexList(ByteReader& r);
/// SIG model identifier (2 octets) or vendor (Company ID, Model ID: 4 octets).
void writeModelId(VectorWriter& w, const ModelId& id);
/// Reads the model identifier that ends a message: what remains decides its size (2 or
/// 4 octets, else kMalformed / kTruncated).
ModelId readTrailingModelId(ByteReader& r);
/// Reads a SIG (2 octets) or vendor (4 octets) model identifier of a known size.
ModelId readModelId(ByteReader& r, bool vendor);

/// Parses `params` with T::parse for the alternative of variant V whose kOpcode matches.
/// kUnsupported when no alternative has this opcode.
template <class V, std::size_t I = 0>
Result<V> parseMessageVariant(Opcode opcode, ByteSpan params) {
  if constexpr (I == std::variant_size_v<V>) {
    return Error::kUnsupported;
  } else {
    using T = std::variant_alternative_t<I, V>;
    if (T::kOpcode == opcode) {
      auto r = T::parse(params);
      if (!r.ok()) return r.error();
      return V{std::in_place_index<I>, std::move(*r)};
    }
    return parseMessageVariant<V, I + 1>(opcode, params);
  }
}

/// Opcode || parameters of any message value type (one with kOpcode and encode()).
template <class T>
Bytes encodeAccessPayload(const T& message) {
  Bytes params;
  message.encode(params);
  Bytes out;
  (void)AccessMessage{T::kOpcode, params}.encode(out);
  return out;
}

// ---------------------------------------------------------------------------------------
// Message layouts shared by several opcodes

/// A message without parameters (the Gets, Node Reset and its status).
template <Opcode kOp>
struct ConfigEmptyMessage {
  static constexpr Opcode kOpcode = kOp;
  static Result<ConfigEmptyMessage> parse(ByteSpan params) {
    if (!params.empty()) return Error::kTrailing;
    return ConfigEmptyMessage{};
  }
  void encode(Bytes& /*out*/) const {}
  friend bool operator==(const ConfigEmptyMessage&, const ConfigEmptyMessage&) = default;
};

/// A message of one octet: Beacon, Default TTL, GATT Proxy, Friend and Network Transmit
/// Set/Status, Composition Data Get.
template <Opcode kOp>
struct ConfigOctetMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint8_t value = 0;
  static Result<ConfigOctetMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigOctetMessage m{r.u8()};
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const { out.push_back(value); }
  friend bool operator==(const ConfigOctetMessage&, const ConfigOctetMessage&) = default;
};

/// NetKeyIndex only: AppKey Get, NetKey Delete, Key Refresh Phase Get, Node Identity Get.
template <Opcode kOp>
struct ConfigNetKeyIndexMessage {
  static constexpr Opcode kOpcode = kOp;
  NetKeyIndex net_idx = 0;
  static Result<ConfigNetKeyIndexMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigNetKeyIndexMessage m{readKeyIndex(r)};
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const { VectorWriter(out).u16le(net_idx); }
  friend bool operator==(const ConfigNetKeyIndexMessage&,
                         const ConfigNetKeyIndexMessage&) = default;
};

/// NetKeyIndex and a 128-bit NetKey: NetKey Add and Update.
template <Opcode kOp>
struct ConfigNetKeyMessage {
  static constexpr Opcode kOpcode = kOp;
  NetKeyIndex net_idx = 0;
  Key key{};
  static Result<ConfigNetKeyMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigNetKeyMessage m;
    m.net_idx = readKeyIndex(r);
    m.key = r.array<16>();
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(net_idx);
    w.bytes(key);
  }
  friend bool operator==(const ConfigNetKeyMessage&, const ConfigNetKeyMessage&) = default;
};

/// NetKeyIndexAndAppKeyIndex and an AppKey: AppKey Add and Update.
template <Opcode kOp>
struct ConfigAppKeyMessage {
  static constexpr Opcode kOpcode = kOp;
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;
  Key key{};
  static Result<ConfigAppKeyMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigAppKeyMessage m;
    std::tie(m.net_idx, m.app_idx) = readKeyIndexPair(r);
    m.key = r.array<16>();
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    writeKeyIndexPair(w, net_idx, app_idx);
    w.bytes(key);
  }
  friend bool operator==(const ConfigAppKeyMessage&, const ConfigAppKeyMessage&) = default;
};

/// ElementAddress and ModelIdentifier: Model Publication Get, Model Subscription Delete
/// All, SIG/Vendor Model Subscription Get, SIG/Vendor Model App Get. `kVendor` fixes the
/// identifier size for the SIG/Vendor Get pairs; std::nullopt lets the length decide.
template <Opcode kOp, int kVendor = -1>
struct ConfigModelMessage {
  static constexpr Opcode kOpcode = kOp;
  Address element = 0;
  ModelId model{};
  static Result<ConfigModelMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigModelMessage m;
    m.element = r.u16le();
    m.model = kVendor < 0 ? readTrailingModelId(r) : readModelId(r, kVendor == 1);
    LPM_TRY(r.expectEnd());
    if (kVendor >= 0 && m.model.isVendor() != (kVendor == 1)) return Error::kMalformed;
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(element);
    writeModelId(w, model);
  }
  friend bool operator==(const ConfigModelMessage&, const ConfigModelMessage&) = default;
};

/// ElementAddress, Address, ModelIdentifier: Model Subscription Add/Delete/Overwrite.
template <Opcode kOp>
struct ConfigModelSubscriptionMessage {
  static constexpr Opcode kOpcode = kOp;
  Address element = 0;
  Address address = 0;
  ModelId model{};
  static Result<ConfigModelSubscriptionMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigModelSubscriptionMessage m;
    m.element = r.u16le();
    m.address = r.u16le();
    m.model = readTrailingModelId(r);
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(element);
    w.u16le(address);
    writeModelId(w, model);
  }
  friend bool operator==(const ConfigModelSubscriptionMessage&,
                         const ConfigModelSubscriptionMessage&) = default;
};

/// ElementAddress, Label UUID, ModelIdentifier: Model Subscription Virtual Address
/// Add/Delete/Overwrite.
template <Opcode kOp>
struct ConfigModelSubscriptionVirtualMessage {
  static constexpr Opcode kOpcode = kOp;
  Address element = 0;
  LabelUuid label{};
  ModelId model{};
  static Result<ConfigModelSubscriptionVirtualMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigModelSubscriptionVirtualMessage m;
    m.element = r.u16le();
    m.label = r.array<16>();
    m.model = readTrailingModelId(r);
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(element);
    w.bytes(label);
    writeModelId(w, model);
  }
  friend bool operator==(const ConfigModelSubscriptionVirtualMessage&,
                         const ConfigModelSubscriptionVirtualMessage&) = default;
};

/// ElementAddress, AppKeyIndex, ModelIdentifier: Model App Bind/Unbind.
template <Opcode kOp>
struct ConfigModelAppMessage {
  static constexpr Opcode kOpcode = kOp;
  Address element = 0;
  AppKeyIndex app_idx = 0;
  ModelId model{};
  static Result<ConfigModelAppMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigModelAppMessage m;
    m.element = r.u16le();
    m.app_idx = readKeyIndex(r);
    m.model = readTrailingModelId(r);
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(element);
    w.u16le(app_idx);
    writeModelId(w, model);
  }
  friend bool operator==(const ConfigModelAppMessage&, const ConfigModelAppMessage&) = default;
};

/// Status, ElementAddress, ModelIdentifier, list (group addresses or AppKey indexes):
/// SIG/Vendor Model Subscription List and SIG/Vendor Model App List.
template <Opcode kOp, bool kVendor, bool kKeyIndexes>
struct ConfigModelListMessage {
  static constexpr Opcode kOpcode = kOp;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address element = 0;
  ModelId model{};
  std::vector<std::uint16_t> entries;  ///< addresses, or AppKey indexes
  static Result<ConfigModelListMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigModelListMessage m;
    m.status = static_cast<ConfigStatus>(r.u8());
    m.element = r.u16le();
    m.model = readModelId(r, kVendor);
    if constexpr (kKeyIndexes) {
      m.entries = readKeyIndexList(r);
    } else {
      if (r.remaining() % 2 != 0) return Error::kMalformed;
      while (r.ok() && !r.atEnd())
        m.entries.push_back(r.u16le());
    }
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u8(static_cast<std::uint8_t>(status));
    w.u16le(element);
    writeModelId(w, model);
    if constexpr (kKeyIndexes) {
      writeKeyIndexList(w, entries);
    } else {
      for (std::uint16_t a : entries)
        w.u16le(a);
    }
  }
  friend bool operator==(const ConfigModelListMessage&, const ConfigModelListMessage&) = default;
};

// ---------------------------------------------------------------------------------------
// The messages

using ConfigAppKeyAdd = ConfigAppKeyMessage<op::kAppKeyAdd>;
using ConfigAppKeyUpdate = ConfigAppKeyMessage<op::kAppKeyUpdate>;

/// AppKey Delete (§4.3.2.39): NetKeyIndexAndAppKeyIndex.
struct ConfigAppKeyDelete {
  static constexpr Opcode kOpcode = op::kAppKeyDelete;
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;
  static Result<ConfigAppKeyDelete> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigAppKeyDelete&, const ConfigAppKeyDelete&) = default;
};

using ConfigAppKeyGet = ConfigNetKeyIndexMessage<op::kAppKeyGet>;

/// AppKey List (§4.3.2.42): Status, NetKeyIndex, AppKeyIndexes.
struct ConfigAppKeyList {
  static constexpr Opcode kOpcode = op::kAppKeyList;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  std::vector<AppKeyIndex> app_indexes;
  static Result<ConfigAppKeyList> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigAppKeyList&, const ConfigAppKeyList&) = default;
};

/// AppKey Status (§4.3.2.40): Status, NetKeyIndexAndAppKeyIndex.
struct ConfigAppKeyStatus {
  static constexpr Opcode kOpcode = op::kAppKeyStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;
  static Result<ConfigAppKeyStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigAppKeyStatus&, const ConfigAppKeyStatus&) = default;
};

using ConfigCompositionDataGet = ConfigOctetMessage<op::kCompositionDataGet>;

/// Composition Data Status (§4.3.2.5): Page, Data (the page's contents, see composition.hpp).
struct ConfigCompositionDataStatus {
  static constexpr Opcode kOpcode = op::kCompositionDataStatus;
  std::uint8_t page = 0;
  Bytes data;
  static Result<ConfigCompositionDataStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigCompositionDataStatus&,
                         const ConfigCompositionDataStatus&) = default;
};

using ConfigBeaconGet = ConfigEmptyMessage<op::kBeaconGet>;
using ConfigBeaconSet = ConfigOctetMessage<op::kBeaconSet>;
using ConfigBeaconStatus = ConfigOctetMessage<op::kBeaconStatus>;
using ConfigDefaultTtlGet = ConfigEmptyMessage<op::kDefaultTtlGet>;
using ConfigDefaultTtlSet = ConfigOctetMessage<op::kDefaultTtlSet>;
using ConfigDefaultTtlStatus = ConfigOctetMessage<op::kDefaultTtlStatus>;
using ConfigFriendGet = ConfigEmptyMessage<op::kFriendGet>;
using ConfigFriendSet = ConfigOctetMessage<op::kFriendSet>;
using ConfigFriendStatus = ConfigOctetMessage<op::kFriendStatus>;
using ConfigGattProxyGet = ConfigEmptyMessage<op::kGattProxyGet>;
using ConfigGattProxySet = ConfigOctetMessage<op::kGattProxySet>;
using ConfigGattProxyStatus = ConfigOctetMessage<op::kGattProxyStatus>;
using ConfigNetworkTransmitGet = ConfigEmptyMessage<op::kNetworkTransmitGet>;
using ConfigNetworkTransmitSet = ConfigOctetMessage<op::kNetworkTransmitSet>;
using ConfigNetworkTransmitStatus = ConfigOctetMessage<op::kNetworkTransmitStatus>;

using ConfigKeyRefreshPhaseGet = ConfigNetKeyIndexMessage<op::kKeyRefreshPhaseGet>;

/// Key Refresh Phase Set (§4.3.2.55): NetKeyIndex, Transition (0x02 or 0x03).
struct ConfigKeyRefreshPhaseSet {
  static constexpr Opcode kOpcode = op::kKeyRefreshPhaseSet;
  NetKeyIndex net_idx = 0;
  std::uint8_t transition = 0;
  static Result<ConfigKeyRefreshPhaseSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigKeyRefreshPhaseSet&,
                         const ConfigKeyRefreshPhaseSet&) = default;
};

/// Key Refresh Phase Status (§4.3.2.56): Status, NetKeyIndex, Phase.
struct ConfigKeyRefreshPhaseStatus {
  static constexpr Opcode kOpcode = op::kKeyRefreshPhaseStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  std::uint8_t phase = 0;
  static Result<ConfigKeyRefreshPhaseStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigKeyRefreshPhaseStatus&,
                         const ConfigKeyRefreshPhaseStatus&) = default;
};

using ConfigModelPublicationGet = ConfigModelMessage<op::kModelPublicationGet>;

/// The publication fields common to Model Publication Set, Virtual Address Set and
/// Status: AppKeyIndex (12) | CredentialFlag (1) | RFU (3), PublishTTL, PublishPeriod,
/// PublishRetransmit Count (3) | Interval Steps (5).
struct PublicationFields {
  AppKeyIndex app_idx = 0;
  bool credential_flag = false;
  std::uint8_t ttl = 0;
  PublishPeriod period{};
  PublishRetransmit retransmit{};

  void write(VectorWriter& w) const;
  static PublicationFields read(ByteReader& r);
  friend bool operator==(const PublicationFields&, const PublicationFields&) = default;
};

/// Model Publication Set (§4.3.2.16).
struct ConfigModelPublicationSet {
  static constexpr Opcode kOpcode = op::kModelPublicationSet;
  Address element = 0;
  Address publish_address = 0;
  PublicationFields fields{};
  ModelId model{};
  static Result<ConfigModelPublicationSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigModelPublicationSet&,
                         const ConfigModelPublicationSet&) = default;
};

/// Model Publication Virtual Address Set (§4.3.2.17): the publish address is a Label UUID.
struct ConfigModelPublicationVirtualAddressSet {
  static constexpr Opcode kOpcode = op::kModelPublicationVirtualAddressSet;
  Address element = 0;
  LabelUuid label{};
  PublicationFields fields{};
  ModelId model{};
  static Result<ConfigModelPublicationVirtualAddressSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigModelPublicationVirtualAddressSet&,
                         const ConfigModelPublicationVirtualAddressSet&) = default;
};

/// Model Publication Status (§4.3.2.18).
struct ConfigModelPublicationStatus {
  static constexpr Opcode kOpcode = op::kModelPublicationStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address element = 0;
  Address publish_address = 0;
  PublicationFields fields{};
  ModelId model{};
  static Result<ConfigModelPublicationStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigModelPublicationStatus&,
                         const ConfigModelPublicationStatus&) = default;
};

using ConfigModelSubscriptionAdd = ConfigModelSubscriptionMessage<op::kModelSubscriptionAdd>;
using ConfigModelSubscriptionDelete = ConfigModelSubscriptionMessage<op::kModelSubscriptionDelete>;
using ConfigModelSubscriptionOverwrite =
    ConfigModelSubscriptionMessage<op::kModelSubscriptionOverwrite>;
using ConfigModelSubscriptionDeleteAll = ConfigModelMessage<op::kModelSubscriptionDeleteAll>;
using ConfigModelSubscriptionVirtualAddressAdd =
    ConfigModelSubscriptionVirtualMessage<op::kModelSubscriptionVirtualAddressAdd>;
using ConfigModelSubscriptionVirtualAddressDelete =
    ConfigModelSubscriptionVirtualMessage<op::kModelSubscriptionVirtualAddressDelete>;
using ConfigModelSubscriptionVirtualAddressOverwrite =
    ConfigModelSubscriptionVirtualMessage<op::kModelSubscriptionVirtualAddressOverwrite>;

/// Model Subscription Status (§4.3.2.26): Status, ElementAddress, Address, ModelIdentifier.
struct ConfigModelSubscriptionStatus {
  static constexpr Opcode kOpcode = op::kModelSubscriptionStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address element = 0;
  Address address = 0;
  ModelId model{};
  static Result<ConfigModelSubscriptionStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigModelSubscriptionStatus&,
                         const ConfigModelSubscriptionStatus&) = default;
};

using ConfigSigModelSubscriptionGet = ConfigModelMessage<op::kSigModelSubscriptionGet, 0>;
using ConfigSigModelSubscriptionList =
    ConfigModelListMessage<op::kSigModelSubscriptionList, false, false>;
using ConfigVendorModelSubscriptionGet = ConfigModelMessage<op::kVendorModelSubscriptionGet, 1>;
using ConfigVendorModelSubscriptionList =
    ConfigModelListMessage<op::kVendorModelSubscriptionList, true, false>;

using ConfigRelayGet = ConfigEmptyMessage<op::kRelayGet>;

/// Relay Set / Relay Status (§4.3.2.12, §4.3.2.14): Relay, RelayRetransmit.
template <Opcode kOp>
struct ConfigRelayMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint8_t relay = 0;
  TransmitState retransmit{};
  static Result<ConfigRelayMessage> parse(ByteSpan params) {
    ByteReader r(params);
    ConfigRelayMessage m;
    m.relay = r.u8();
    m.retransmit = TransmitState::decode(r.u8());
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    out.push_back(relay);
    out.push_back(retransmit.encode());
  }
  friend bool operator==(const ConfigRelayMessage&, const ConfigRelayMessage&) = default;
};
using ConfigRelaySet = ConfigRelayMessage<op::kRelaySet>;
using ConfigRelayStatus = ConfigRelayMessage<op::kRelayStatus>;

/// LPN PollTimeout Get (§4.3.2.67): LPNAddress.
struct ConfigLpnPollTimeoutGet {
  static constexpr Opcode kOpcode = op::kLpnPollTimeoutGet;
  Address lpn_address = 0;
  static Result<ConfigLpnPollTimeoutGet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigLpnPollTimeoutGet&, const ConfigLpnPollTimeoutGet&) = default;
};

/// LPN PollTimeout Status (§4.3.2.68): LPNAddress, PollTimeout (24 bits, x100 ms).
struct ConfigLpnPollTimeoutStatus {
  static constexpr Opcode kOpcode = op::kLpnPollTimeoutStatus;
  Address lpn_address = 0;
  std::uint32_t poll_timeout = 0;
  static Result<ConfigLpnPollTimeoutStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigLpnPollTimeoutStatus&,
                         const ConfigLpnPollTimeoutStatus&) = default;
};

using ConfigHeartbeatPublicationGet = ConfigEmptyMessage<op::kHeartbeatPublicationGet>;

/// Heartbeat Publication Set (§4.3.2.62): Destination, CountLog, PeriodLog, TTL, Features,
/// NetKeyIndex.
struct ConfigHeartbeatPublicationSet {
  static constexpr Opcode kOpcode = op::kHeartbeatPublicationSet;
  Address destination = 0;
  std::uint8_t count_log = 0;
  std::uint8_t period_log = 0;
  std::uint8_t ttl = 0;
  std::uint16_t features = 0;
  NetKeyIndex net_idx = 0;
  static Result<ConfigHeartbeatPublicationSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigHeartbeatPublicationSet&,
                         const ConfigHeartbeatPublicationSet&) = default;
};

/// Heartbeat Publication Status (§4.3.2.63): Status and the Set fields.
struct ConfigHeartbeatPublicationStatus {
  static constexpr Opcode kOpcode = op::kHeartbeatPublicationStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address destination = 0;
  std::uint8_t count_log = 0;
  std::uint8_t period_log = 0;
  std::uint8_t ttl = 0;
  std::uint16_t features = 0;
  NetKeyIndex net_idx = 0;
  static Result<ConfigHeartbeatPublicationStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigHeartbeatPublicationStatus&,
                         const ConfigHeartbeatPublicationStatus&) = default;
};

using ConfigHeartbeatSubscriptionGet = ConfigEmptyMessage<op::kHeartbeatSubscriptionGet>;

/// Heartbeat Subscription Set (§4.3.2.65): Source, Destination, PeriodLog.
struct ConfigHeartbeatSubscriptionSet {
  static constexpr Opcode kOpcode = op::kHeartbeatSubscriptionSet;
  Address source = 0;
  Address destination = 0;
  std::uint8_t period_log = 0;
  static Result<ConfigHeartbeatSubscriptionSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigHeartbeatSubscriptionSet&,
                         const ConfigHeartbeatSubscriptionSet&) = default;
};

/// Heartbeat Subscription Status (§4.3.2.66): Status, Source, Destination, PeriodLog,
/// CountLog, MinHops, MaxHops.
struct ConfigHeartbeatSubscriptionStatus {
  static constexpr Opcode kOpcode = op::kHeartbeatSubscriptionStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address source = 0;
  Address destination = 0;
  std::uint8_t period_log = 0;
  std::uint8_t count_log = 0;
  std::uint8_t min_hops = 0;
  std::uint8_t max_hops = 0;
  static Result<ConfigHeartbeatSubscriptionStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigHeartbeatSubscriptionStatus&,
                         const ConfigHeartbeatSubscriptionStatus&) = default;
};

using ConfigModelAppBind = ConfigModelAppMessage<op::kModelAppBind>;
using ConfigModelAppUnbind = ConfigModelAppMessage<op::kModelAppUnbind>;

/// Model App Status (§4.3.2.48): Status, ElementAddress, AppKeyIndex, ModelIdentifier.
struct ConfigModelAppStatus {
  static constexpr Opcode kOpcode = op::kModelAppStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  Address element = 0;
  AppKeyIndex app_idx = 0;
  ModelId model{};
  static Result<ConfigModelAppStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigModelAppStatus&, const ConfigModelAppStatus&) = default;
};

using ConfigSigModelAppGet = ConfigModelMessage<op::kSigModelAppGet, 0>;
using ConfigSigModelAppList = ConfigModelListMessage<op::kSigModelAppList, false, true>;
using ConfigVendorModelAppGet = ConfigModelMessage<op::kVendorModelAppGet, 1>;
using ConfigVendorModelAppList = ConfigModelListMessage<op::kVendorModelAppList, true, true>;

using ConfigNetKeyAdd = ConfigNetKeyMessage<op::kNetKeyAdd>;
using ConfigNetKeyUpdate = ConfigNetKeyMessage<op::kNetKeyUpdate>;
using ConfigNetKeyDelete = ConfigNetKeyIndexMessage<op::kNetKeyDelete>;
using ConfigNetKeyGet = ConfigEmptyMessage<op::kNetKeyGet>;

/// NetKey List (§4.3.2.36): NetKeyIndexes.
struct ConfigNetKeyList {
  static constexpr Opcode kOpcode = op::kNetKeyList;
  std::vector<NetKeyIndex> net_indexes;
  static Result<ConfigNetKeyList> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigNetKeyList&, const ConfigNetKeyList&) = default;
};

/// NetKey Status (§4.3.2.34): Status, NetKeyIndex.
struct ConfigNetKeyStatus {
  static constexpr Opcode kOpcode = op::kNetKeyStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  static Result<ConfigNetKeyStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigNetKeyStatus&, const ConfigNetKeyStatus&) = default;
};

using ConfigNodeIdentityGet = ConfigNetKeyIndexMessage<op::kNodeIdentityGet>;

/// Node Identity Set (§4.3.2.45): NetKeyIndex, Identity.
struct ConfigNodeIdentitySet {
  static constexpr Opcode kOpcode = op::kNodeIdentitySet;
  NetKeyIndex net_idx = 0;
  std::uint8_t identity = 0;
  static Result<ConfigNodeIdentitySet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigNodeIdentitySet&, const ConfigNodeIdentitySet&) = default;
};

/// Node Identity Status (§4.3.2.46): Status, NetKeyIndex, Identity.
struct ConfigNodeIdentityStatus {
  static constexpr Opcode kOpcode = op::kNodeIdentityStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  std::uint8_t identity = 0;
  static Result<ConfigNodeIdentityStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const ConfigNodeIdentityStatus&,
                         const ConfigNodeIdentityStatus&) = default;
};

using ConfigNodeReset = ConfigEmptyMessage<op::kNodeReset>;
using ConfigNodeResetStatus = ConfigEmptyMessage<op::kNodeResetStatus>;

/// Every Configuration message.
using ConfigMessage = std::variant<
    ConfigAppKeyAdd, ConfigAppKeyUpdate, ConfigCompositionDataStatus, ConfigModelPublicationSet,
    ConfigHeartbeatPublicationStatus, ConfigAppKeyDelete, ConfigAppKeyGet, ConfigAppKeyList,
    ConfigAppKeyStatus, ConfigCompositionDataGet, ConfigBeaconGet, ConfigBeaconSet,
    ConfigBeaconStatus, ConfigDefaultTtlGet, ConfigDefaultTtlSet, ConfigDefaultTtlStatus,
    ConfigFriendGet, ConfigFriendSet, ConfigFriendStatus, ConfigGattProxyGet, ConfigGattProxySet,
    ConfigGattProxyStatus, ConfigKeyRefreshPhaseGet, ConfigKeyRefreshPhaseSet,
    ConfigKeyRefreshPhaseStatus, ConfigModelPublicationGet, ConfigModelPublicationStatus,
    ConfigModelPublicationVirtualAddressSet, ConfigModelSubscriptionAdd,
    ConfigModelSubscriptionDelete, ConfigModelSubscriptionDeleteAll,
    ConfigModelSubscriptionOverwrite, ConfigModelSubscriptionStatus,
    ConfigModelSubscriptionVirtualAddressAdd, ConfigModelSubscriptionVirtualAddressDelete,
    ConfigModelSubscriptionVirtualAddressOverwrite, ConfigNetworkTransmitGet,
    ConfigNetworkTransmitSet, ConfigNetworkTransmitStatus, ConfigRelayGet, ConfigRelaySet,
    ConfigRelayStatus, ConfigSigModelSubscriptionGet, ConfigSigModelSubscriptionList,
    ConfigVendorModelSubscriptionGet, ConfigVendorModelSubscriptionList, ConfigLpnPollTimeoutGet,
    ConfigLpnPollTimeoutStatus, ConfigHeartbeatPublicationGet, ConfigHeartbeatPublicationSet,
    ConfigHeartbeatSubscriptionGet, ConfigHeartbeatSubscriptionSet,
    ConfigHeartbeatSubscriptionStatus, ConfigModelAppBind, ConfigModelAppStatus,
    ConfigModelAppUnbind, ConfigNetKeyAdd, ConfigNetKeyDelete, ConfigNetKeyGet, ConfigNetKeyList,
    ConfigNetKeyStatus, ConfigNetKeyUpdate, ConfigNodeIdentityGet, ConfigNodeIdentitySet,
    ConfigNodeIdentityStatus, ConfigNodeReset, ConfigNodeResetStatus, ConfigSigModelAppGet,
    ConfigSigModelAppList, ConfigVendorModelAppGet, ConfigVendorModelAppList>;

/// Decodes the parameters of a Configuration message. kUnsupported for an opcode that is
/// not a Configuration message, else the message's parse error.
Result<ConfigMessage> parseConfigMessage(Opcode opcode, ByteSpan params);
/// Decodes a whole Access message (opcode || parameters).
Result<ConfigMessage> parseConfigAccessMessage(ByteSpan access_message);
/// Opcode of a Configuration message.
Opcode configOpcode(const ConfigMessage& message);
/// Parameters of a Configuration message.
Bytes encodeConfigParams(const ConfigMessage& message);
/// Opcode || parameters.
Bytes encodeConfigMessage(const ConfigMessage& message);

/// Heartbeat log fields (§4.2.17.2, §4.2.17.3): 0 -> 0, n in 1..0x11 -> 2^(n-1), 0xFF -> 0xFFFF
/// (counts only). Returns std::nullopt for a prohibited value.
std::optional<std::uint32_t> heartbeatLogToValue(std::uint8_t log, bool count);
/// Inverse for status messages: the smallest n with 2^(n-1) >= ... per §4.2.17/§4.2.18:
/// 0 -> 0, 0xFFFF -> 0xFF, else floor(log2(v)) + 1.
std::uint8_t heartbeatValueToLog(std::uint32_t value);

}  // namespace lpm::btmesh
