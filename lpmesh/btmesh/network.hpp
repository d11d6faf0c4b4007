// Bluetooth Mesh network layer (Mesh Protocol 1.1 §3.4): Network PDU security, network
// interfaces and their filters (§3.4.5), reception (§3.4.6.3), relaying per the managed
// flooding rows of Table 3.13, transmission (§3.4.6.4), the Network Message Cache
// (§3.4.6.5), IV Index selection by IVI and per-element SEQ allocation persisted in
// reserved blocks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/security.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// Index of a network interface of this node.
using InterfaceId = std::uint8_t;
/// The Local Network Interface (§3.4.5.3): PDUs between elements of this node.
inline constexpr InterfaceId kLocalInterface = 0xFF;
inline constexpr std::size_t kMaxInterfaces = 8;
/// Largest SEQ value (24 bits).
inline constexpr std::uint32_t kMaxSeq = 0xFFFFFF;

enum class BearerType : std::uint8_t { kAdvertising, kGatt, kLocal };

/// A secured Network PDU handed to a network interface, with the metadata its output
/// filter and bearer need (§3.4.4 tags, §3.4.5.4 transmission count and timing).
struct OutboundPdu {
  ByteSpan pdu;  ///< valid during transmit() only; the bearer copies it
  NetworkHeader header{};
  NetKeyIndex net_idx = 0;
  Credentials credentials = Credentials::kFlooding;
  bool relay = false;        ///< tagged relay
  TransmitState transmit{};  ///< Network Transmit or Relay Retransmit state to apply
};

/// A bearer instance connected to the network layer (§3.4.5).
class NetworkInterface {
 public:
  virtual ~NetworkInterface() = default;
  virtual BearerType bearerType() const = 0;
  /// Bearer-specific output filter (e.g. a proxy filter); the generic rules of §3.4.5.2
  /// are applied by the network layer before. true = transmit.
  virtual bool outputFilter(const OutboundPdu& /*pdu*/) const { return true; }
  /// Queues the PDU on the bearer; kNoBufs when its buffers are full.
  virtual Error transmit(const OutboundPdu& pdu) = 0;
};

/// An authenticated Network PDU delivered to the lower transport layer.
struct NetworkRx {
  InterfaceId interface = kLocalInterface;
  BearerType bearer = BearerType::kLocal;
  NetKeyIndex net_idx = 0;
  std::uint8_t key_slot = 0;  ///< 0 = current/old NetKey, 1 = new (Key Refresh)
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  std::uint32_t iv_index = 0;
  NetworkHeader header{};
  ByteSpan transport_pdu;  ///< valid during the callback only
  std::int8_t rssi = 127;  ///< 127 when unknown (local interface)
  /// DST is a unicast address of this node or an address its elements listen to.
  bool local_match = false;
};

/// What the network layer needs from the layers above it.
class NetworkUpper {
 public:
  virtual ~NetworkUpper() = default;
  /// A PDU passed authentication, validity and the cache, and is addressed to this node
  /// (local_match) — or, for a Friend, may concern one of its Low Power nodes.
  virtual void onNetworkPdu(const NetworkRx& rx) = 0;
  /// `address` is a unicast address of one of this node's elements.
  virtual bool isOwnUnicast(Address address) const = 0;
  /// This node's elements listen to `address` (group, virtual or fixed group).
  virtual bool listensTo(Address address) const = 0;
};

/// Notifications for network management procedures (IV Update, beacons).
class NetworkListener {
 public:
  virtual ~NetworkListener() = default;
  /// An element's SEQ reached NodeConfig::iv_update_seq_limit (§3.11.5: time to start
  /// an IV Update). Called once per crossing.
  virtual void onSeqLimitReached() {}
};

/// SEQ and IV Index reserved for one PDU (or for the first segment, i.e. SeqAuth).
struct SeqAllocation {
  std::uint32_t seq = 0;
  std::uint32_t iv_index = 0;
};

/// A PDU to originate.
struct NetworkTx {
  NetKeyIndex net_idx = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;  ///< with Credentials::kFriendship
  Address src = 0;                  ///< an element of this node
  Address dst = 0;
  std::uint8_t ttl = 0;
  bool ctl = false;
  ByteSpan transport_pdu;
  /// SEQ/IV reserved with allocateSeq() (upper transport nonces need it first); empty:
  /// allocated here.
  std::optional<SeqAllocation> seq;
};

/// Counters, also published as trace points on layer "btmesh.net".
struct NetworkStats {
  std::uint64_t rx = 0;            ///< PDUs handed to the network layer by bearers
  std::uint64_t rx_accepted = 0;   ///< authenticated, valid, new
  std::uint64_t drop_length = 0;   ///< impossible size
  std::uint64_t drop_nid = 0;      ///< no known NID
  std::uint64_t drop_auth = 0;     ///< NetMIC failed with every candidate key
  std::uint64_t drop_iv = 0;       ///< no IV Index for this IVI
  std::uint64_t drop_invalid = 0;  ///< SRC/DST validity (§3.4.3)
  std::uint64_t drop_cache = 0;    ///< already in the Network Message Cache
  std::uint64_t drop_own = 0;      ///< originated by this node
  std::uint64_t drop_filter = 0;   ///< interface filters
  std::uint64_t tx = 0;            ///< originated PDUs
  std::uint64_t tx_no_bufs = 0;    ///< a bearer or the loopback queue was full
  std::uint64_t relayed = 0;       ///< relayed PDUs
  std::uint64_t loopback = 0;      ///< delivered over the local interface
};

/// Mutable network states (Configuration Server can change them).
struct NetworkStates {
  TransmitState network_transmit{};
  TransmitState relay_retransmit{};
  FeatureState relay = FeatureState::kEnabled;
  FeatureState proxy = FeatureState::kNotSupported;
  FeatureState friend_feature = FeatureState::kNotSupported;
  /// Default TTL state (§4.2.7): 0x00 or 0x02..0x7F.
  std::uint8_t default_ttl = 7;
};

class Network {
 public:
  /// `platform` must outlive the Network; `keys` too.
  Network(const platform::Platform& platform, const NodeConfig& config, KeyStore& keys);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  void setUpper(NetworkUpper* upper) { upper_ = upper; }
  void setListener(NetworkListener* listener) { listener_ = listener; }

  /// Registers a bearer interface; kNoBufs past kMaxInterfaces.
  Result<InterfaceId> addInterface(NetworkInterface* interface);
  void removeInterface(InterfaceId id);

  /// The node's element addresses: primary .. primary + count - 1. Loads each element's
  /// SEQ from settings (never below what a previous run may have used).
  Error setElements(Address primary, std::uint8_t count);
  Address primaryAddress() const { return primary_; }
  std::uint8_t elementCount() const { return static_cast<std::uint8_t>(seqs_.size()); }
  bool isOwnAddress(Address a) const {
    return isUnicast(a) && a >= primary_ && a < primary_ + seqs_.size();
  }

  /// Reserves the next SEQ of element `src` (§3.4.4.5). kInvalidArgs for an address that
  /// is not an element of this node, kInvalidState when its 24-bit SEQ is exhausted.
  Result<SeqAllocation> allocateSeq(Address src);
  /// The next SEQ element `src` will use.
  std::uint32_t nextSeq(Address src) const;

  /// Sets the IV Index state (beacons / IV Update procedure / provisioning) and persists
  /// it. When the transmit IV Index grows, every element restarts at SEQ 0 (§3.11.5).
  void setIvIndex(std::uint32_t index, bool update_in_progress);

  /// Secures and transmits an originated PDU (§3.4.6.4) on the local interface and/or
  /// the bearers. kNotFound for an unknown NetKey or friendship, kInvalidArgs for bad
  /// addresses or TTL, kTooLong for an oversized TransportPDU, kNoBufs when every
  /// chosen bearer (and the loopback queue) refused it.
  Error send(const NetworkTx& tx);

  /// A Network PDU from interface `interface` (§3.4.6.3).
  void receive(InterfaceId interface, ByteSpan pdu, std::int8_t rssi);

  NetworkStates& states() { return states_; }
  const NetworkStates& states() const { return states_; }
  const NetworkStats& stats() const { return stats_; }
  KeyStore& keys() { return keys_; }

 private:
  struct RxCredential {
    std::uint8_t nid = 0;
    const SecurityMaterial* material = nullptr;
    NetKeyIndex net_idx = 0;
    std::uint8_t slot = 0;
    Credentials credentials = Credentials::kFlooding;
    std::uint16_t friendship_id = 0;
  };
  struct CacheEntry {
    std::uint32_t iv_index = 0;
    std::uint32_t seq = 0;
    Address src = 0;
  };
  struct ElementSeq {
    std::uint32_t next = 0;
    std::uint32_t reserved_end = 0;  ///< first SEQ not covered by the stored block
  };
  struct LoopbackEntry {
    NetworkRx rx{};
    std::array<std::uint8_t, 16> pdu{};
    std::uint8_t len = 0;
  };

  void rebuildCredentials();
  bool cacheContains(const CacheEntry& e) const;
  void cacheAdd(const CacheEntry& e);
  void relay(const NetworkRx& rx);
  /// Hands a secured PDU to every interface selected by `adv`/`gatt`, except `skip`.
  /// Returns how many accepted it and whether any refused for lack of buffers.
  struct Fanout {
    unsigned accepted = 0;
    bool no_bufs = false;
  };
  Fanout toInterfaces(const OutboundPdu& out, bool adv, bool gatt, InterfaceId skip);
  bool enqueueLoopback(const NetworkRx& rx);
  void onLoopbackTimer();
  void persistSeq(std::size_t element);
  void persistIv();
  const SecurityMaterial* txMaterial(NetKeyIndex net_idx, std::uint8_t slot,
                                     Credentials credentials, std::uint16_t friendship_id) const;
  void drop(std::uint64_t& counter, std::string_view reason);

  const platform::Platform& platform_;
  const NodeConfig& config_;
  KeyStore& keys_;
  NetworkUpper* upper_ = nullptr;
  NetworkListener* listener_ = nullptr;
  NetworkStates states_{};
  NetworkStats stats_{};

  std::array<NetworkInterface*, kMaxInterfaces> interfaces_{};

  std::vector<RxCredential> credentials_;
  std::uint32_t credentials_version_ = 0;

  std::vector<CacheEntry> cache_;
  std::size_t cache_next_ = 0;
  std::size_t cache_used_ = 0;

  Address primary_ = kUnassignedAddress;
  std::vector<ElementSeq> seqs_;

  std::vector<LoopbackEntry> loopback_;
  std::size_t loopback_head_ = 0;
  std::size_t loopback_count_ = 0;
  platform::Timer loopback_timer_{this, &platform::Timer::thunk<&Network::onLoopbackTimer>};
};

}  // namespace lpm::btmesh
