// Keys and subnets of one node (Mesh Protocol 1.1 §3.8.6 key states, §3.9.6 derivation,
// §3.11.4 Key Refresh phases, §3.11.5 IV Index state, §3.4.2.3 Label UUIDs).
//
// A KeyStore owns every NetKey (with old and new values during a Key Refresh), the
// material derived from it, AppKeys bound to NetKeys, the device key, device keys of
// other nodes a Configuration Client talks to, friendship credentials and Label UUIDs.
// The layers read it; they never copy keys out of it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/security.hpp"
#include "lpmesh/core/error.hpp"

namespace lpm::btmesh {

/// 12-bit global key indexes (§4.3.1.1).
using NetKeyIndex = std::uint16_t;
using AppKeyIndex = std::uint16_t;
inline constexpr std::uint16_t kMaxKeyIndex = 0x0FFF;

/// Key Refresh Phase state (§4.2.14). Phase 3 is transient: entering it revokes the old
/// keys and the subnet is back in phase 0 (kNormal).
enum class KeyRefreshPhase : std::uint8_t { kNormal = 0, kPhase1 = 1, kPhase2 = 2, kPhase3 = 3 };

/// Which set of network security material secures a Network PDU (§3.9.6.3.1).
enum class Credentials : std::uint8_t { kFlooding, kFriendship, kDirected };

/// A NetKey value and everything derived from it (§3.9.6.3).
struct NetKeyMaterial {
  Key net_key{};
  SecurityMaterial flooding{};
  SecurityMaterial directed{};
  NetworkId network_id{};
  Key identity_key{};
  Key beacon_key{};
  Key private_beacon_key{};

  static NetKeyMaterial derive(const Key& net_key);
};

/// One subnet: a NetKey index, its key(s) and Key Refresh phase.
struct Subnet {
  NetKeyIndex net_idx = 0;
  KeyRefreshPhase phase = KeyRefreshPhase::kNormal;
  /// keys[0]: current (old during a Key Refresh); keys[1]: new, valid in phases 1 and 2.
  std::array<NetKeyMaterial, 2> keys{};

  bool hasNewKey() const {
    return phase == KeyRefreshPhase::kPhase1 || phase == KeyRefreshPhase::kPhase2;
  }
  /// Slot used to transmit: the new key from phase 2 on (§3.11.4.2).
  std::uint8_t txSlot() const { return phase == KeyRefreshPhase::kPhase2 ? 1 : 0; }
  const NetKeyMaterial& txKeys() const { return keys[txSlot()]; }
};

/// One AppKey bound to a NetKey, with its AID (§3.8.6.2).
struct AppKey {
  AppKeyIndex app_idx = 0;
  NetKeyIndex net_idx = 0;
  std::array<Key, 2> keys{};
  std::array<std::uint8_t, 2> aid{};
  /// keys[1] holds a new value (AppKey Update during Key Refresh phase 1).
  bool has_new = false;
};

/// IV Index state (§3.11.5; stored as Zephyr does): `index` is the current IV Index, and
/// while an IV Update is in progress the node transmits with index - 1.
struct IvIndexState {
  std::uint32_t index = 0;
  bool update_in_progress = false;

  /// IV Index used for transmission.
  std::uint32_t txIndex() const { return update_in_progress ? index - 1 : index; }
  /// IV Index a received PDU with this IVI bit is processed with (§3.4.4.1): the current
  /// index when IVI matches its LSB, else the previous one. Empty when that would be
  /// below zero.
  std::optional<std::uint32_t> rxIndex(bool ivi) const {
    if (((index & 1U) != 0) == ivi) return index;
    if (index == 0) return std::nullopt;
    return index - 1;
  }
};

/// A friendship's credentials (§3.9.6.3.1) for one subnet; the keys follow the subnet's
/// Key Refresh phase like the flooding material.
struct FriendshipCredentials {
  std::uint16_t id = 0;
  NetKeyIndex net_idx = 0;
  FriendshipParams params{};
  std::array<SecurityMaterial, 2> material{};
};

/// A Label UUID known to the node and its virtual address, reference counted by the
/// subscriptions and publications that use it.
struct VirtualLabel {
  LabelUuid uuid{};
  Address address = 0;
  std::uint16_t refs = 0;
};

/// Limits of a KeyStore (from NodeConfig).
struct KeyStoreLimits {
  std::uint8_t subnets = 4;
  std::uint8_t app_keys = 4;
  std::uint8_t labels = 4;
  std::uint8_t remote_dev_keys = 32;
  std::uint8_t friendships = 4;
};

class KeyStore {
 public:
  explicit KeyStore(KeyStoreLimits limits = {}) : limits_(limits) {}

  // --- NetKeys (§4.3.2.37 NetKey Add/Update/Delete semantics) ---
  /// kAlreadyExists when the index holds another key (the same key again is kNone),
  /// kNoBufs when the table is full, kInvalidArgs for an index above 0xFFF.
  Error addNetKey(NetKeyIndex net_idx, const Key& key);
  /// Starts Key Refresh phase 1 with `key` as the new key. kNotFound, kInvalidState
  /// when the subnet is past phase 1 (phase 1 with the same key is kNone).
  Error updateNetKey(NetKeyIndex net_idx, const Key& key);
  /// Removes the subnet and the AppKeys bound to it.
  Error deleteNetKey(NetKeyIndex net_idx);
  /// Key Refresh transitions (§3.11.4, Table 4.17): 1 -> 2, 1|2 -> 3 (revokes old keys
  /// and returns to normal), same phase again is kNone. Others kInvalidState.
  Error setKeyRefreshPhase(NetKeyIndex net_idx, KeyRefreshPhase phase);
  const Subnet* subnet(NetKeyIndex net_idx) const;
  const std::vector<Subnet>& subnets() const { return subnets_; }

  // --- AppKeys ---
  /// kNotFound when the NetKey is unknown; kAlreadyExists when the index holds another
  /// key or is bound to another NetKey; kNoBufs when full.
  Error addAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx, const Key& key);
  /// Stores a new value while the bound subnet is in phase 1 (kInvalidState otherwise).
  Error updateAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx, const Key& key);
  Error deleteAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx);
  const AppKey* appKey(AppKeyIndex app_idx) const;
  const std::vector<AppKey>& appKeys() const { return app_keys_; }
  /// Key and AID an AppKey transmits with, following its subnet's phase.
  struct AppTxKey {
    const Key* key = nullptr;
    std::uint8_t aid = 0;
  };
  Result<AppTxKey> appTxKey(AppKeyIndex app_idx) const;

  // --- device keys ---
  void setDevKey(const Key& key) { dev_key_ = key; }
  const Key& devKey() const { return dev_key_; }
  /// Device key of another node, for a Configuration Client (kNoBufs when full).
  Error setRemoteDevKey(Address address, const Key& key);
  const Key* remoteDevKey(Address address) const;

  // --- friendship credentials ---
  /// Derives and stores friendship material for the subnet; returns its id.
  Result<std::uint16_t> addFriendship(NetKeyIndex net_idx, const FriendshipParams& params);
  void removeFriendship(std::uint16_t id);
  const FriendshipCredentials* friendship(std::uint16_t id) const;
  const std::vector<FriendshipCredentials>& friendships() const { return friendships_; }

  // --- Label UUIDs (§3.4.2.3) ---
  /// Adds a reference to `uuid` and returns its virtual address (kNoBufs when full).
  Result<Address> addLabel(const LabelUuid& uuid);
  /// Drops one reference; the label is forgotten at zero. kNotFound when unknown.
  Error releaseLabel(const LabelUuid& uuid);
  const std::vector<VirtualLabel>& labels() const { return labels_; }
  const VirtualLabel* findLabel(const LabelUuid& uuid) const;

  // --- IV Index ---
  IvIndexState& ivIndex() { return iv_; }
  const IvIndexState& ivIndex() const { return iv_; }

  /// Grows on every change of keys or credentials: the network layer rebuilds its NID
  /// lookup when it sees a new value.
  std::uint32_t version() const { return version_; }

 private:
  Subnet* findSubnet(NetKeyIndex net_idx);
  AppKey* findAppKey(AppKeyIndex app_idx);
  void rederiveFriendships(NetKeyIndex net_idx);

  KeyStoreLimits limits_;
  std::vector<Subnet> subnets_;
  std::vector<AppKey> app_keys_;
  Key dev_key_{};
  std::vector<std::pair<Address, Key>> remote_dev_keys_;
  std::vector<FriendshipCredentials> friendships_;
  std::uint16_t next_friendship_id_ = 1;
  std::vector<VirtualLabel> labels_;
  IvIndexState iv_{};
  std::uint32_t version_ = 1;
};

}  // namespace lpm::btmesh
