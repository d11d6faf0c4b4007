// The RPL protocol engine of one node (RFC 6550) with OF0 as RFC 8180 §5 configures it
// (RFC 6552, of0.hpp), Trickle (RFC 6206, trickle.hpp), non-storing and storing modes
// of operation, DAO acknowledgments, loop detection with the RPL Packet Information
// (RFC 6550 §11.2, RFC 6553), global and local repair, and leaf-only operation. It also
// gives the MAC what RFC 8180 §6 asks of the routing layer: the Join Metric, whether a
// rank is held (no EBs before it, §6.3) and the preferred parent as time source (§6.2).
//
// Transport-independent: the engine sends and receives RPL messages through RplLink and
// reads neighbour link statistics (numTx / numTxAck, RFC 8180 §7.1) from it, so it runs
// over TSCH (lpmesh/sixtisch) and over an in-memory message bus in unit tests.
//
// Addressing. Every node has a link-local address fe80::IID and, once it knows the
// DODAG's prefix (Prefix Information option of the DIO, RFC 6550 §6.7.10), a global
// address prefix::IID. DIO, DIS and storing-mode DAO / DAO-ACK go link-local; non-storing
// DAOs go to the DODAG root's global address (the DODAGID) and DAO-ACKs back to the DAO
// originator, routed by the link with route(). A parent's global address (the Transit
// Information "Parent Address" of non-storing mode, RFC 6550 §9.7) is built from the
// DODAG prefix and its link-local IID, as in networks where every node forms its
// address from the PIO (RFC 8180 networks, Contiki-NG and OpenWSN do the same).
//
// Sources of choices RFC 6550 leaves to implementations, each documented where used:
//  - link statistics: ETX comes from numTx / numTxAck counted since a per-neighbour
//    baseline. With fewer than `min_tx_for_etx` attempts the neighbour is given
//    `default_link` (RFC 8180 has no rule for a link never used; without a default no
//    first parent could be chosen). Past `etx_window` attempts the baseline moves up by
//    half the window, so old attempts weigh less; and a neighbour found unacceptable
//    (ETX > 3) for `unreachable_hold` gets a fresh baseline: with cumulative counts a
//    link that once looked bad, and is therefore never used again, would stay excluded;
//  - neighbour unreachability (RFC 6550 §8.2.1 leaves the detection open): after
//    `max_consecutive_failures` unicast packets to a neighbour fail, it is avoided as a
//    parent for `unreachable_hold` (or until heard again after that) while another
//    candidate exists;
//  - after a local repair (detach and poison, §8.2.2.5) the node ignores DIOs for
//    `detach_hold` so that its former sub-DODAG hears the poison first, then rejoins as
//    a new node (the "lowest rank L" of §8.2.2.4 restarts).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/rpl/lollipop.hpp"
#include "lpmesh/rpl/messages.hpp"
#include "lpmesh/rpl/of0.hpp"
#include "lpmesh/rpl/route_table.hpp"
#include "lpmesh/rpl/trickle.hpp"

namespace lpm::rpl {

/// Link-layer statistics of a neighbour (RFC 8180 §7.1).
struct LinkMetrics {
  std::uint32_t num_tx = 0;      ///< transmission attempts to the neighbour
  std::uint32_t num_tx_ack = 0;  ///< attempts it acknowledged
  friend bool operator==(const LinkMetrics&, const LinkMetrics&) = default;
};

/// What changed, for RplLink::onRplEvent.
enum class RplEvent : std::uint8_t {
  kJoined,          ///< the node has a DODAG, a preferred parent (or is root) and a rank
  kRankChanged,     ///< the advertised rank changed
  kParentChanged,   ///< the preferred parent changed (also on join / detach)
  kDetached,        ///< local repair: no parent any more, rank INFINITE
  kVersionChanged,  ///< a new DODAG version (global repair)
  kRoutesChanged,   ///< a downward route was added or removed
  kDaoAcked,        ///< the root (non-storing) or the parent (storing) acknowledged a DAO
};

/// The engine's window on the network: sending, link statistics, notifications.
class RplLink {
 public:
  virtual ~RplLink() = default;
  /// Sends an RPL message. `dst` is ff02::1a (link-local multicast), a neighbour's
  /// link-local address, or a global address the link routes (non-storing DAO to the
  /// root, DAO-ACK from the root). The source is the node's link-local address for
  /// link-local or multicast destinations and its global address otherwise.
  virtual Error sendRpl(const ipv6::Address& dst, const Message& message) = 0;
  /// numTx / numTxAck of the link to a neighbour (by its link-local address); empty
  /// when the link layer knows nothing about it.
  virtual std::optional<LinkMetrics> linkMetrics(const ipv6::Address& neighbor) const = 0;
  virtual void onRplEvent(RplEvent /*event*/) {}
};

/// Every tunable of the engine, with the specification's default where it has one.
struct RplConfig {
  ipv6::Iid iid{};  ///< the node's interface identifier (from its EUI-64)

  // --- role ---
  bool root = false;
  /// Leaf-only (RFC 6550 §8.5, RFC 8180 §5.2): joins and sends DAOs but never advertises
  /// a rank that would make it a router: no DIOs, no Join Metric.
  bool leaf = false;

  // --- what the root announces (RFC 6550 §6.3.1, §6.7.6, §6.7.10) ---
  std::uint8_t instance_id = 0;
  Mop mop = Mop::kNonStoring;  ///< RFC 8180 §5.2: non-storing MUST, storing SHOULD
  ipv6::Prefix prefix = ipv6::Prefix::make(ipv6::Address::literal("fd00::"), 64);
  bool grounded = true;
  std::uint8_t dodag_preference = 0;
  std::uint8_t initial_version = 240;  ///< lollipop start (RFC 6550 §7.2)
  /// DIO timer, MinHopRankIncrease, MaxRankIncrease and route lifetimes, RFC 6550 §17's
  /// defaults. MaxRankIncrease has none there; 0 disables the limit and is kept here:
  /// with OF0 over ETX one hop alone may add 256..2304 as link estimates move, and the
  /// limit would make nodes detach (and poison) on such swings.
  DodagConfiguration dodag{};
  std::uint32_t prefix_valid_lifetime = 0xffffffff;
  std::uint32_t prefix_preferred_lifetime = 0xffffffff;
  /// Root: options of types this codec does not know, added to every DIO. Every node
  /// copies them from its preferred parent's DIOs and advertises them in turn (used by
  /// 6TiSCH to distribute the RFC 9032 network ID, computed once by the root).
  std::vector<UnknownOption> dio_extra_options;

  // --- OF0 and parent selection (RFC 8180 §5.1, §6.4) ---
  std::uint16_t parent_switch_threshold = of0::kParentSwitchThreshold;
  /// Link statistics assumed for a neighbour with fewer than min_tx_for_etx attempts:
  /// ETX 2 (Contiki-NG's initial ETX).
  LinkMetrics default_link{2, 1};
  std::uint32_t min_tx_for_etx = 10;
  std::uint32_t etx_window = 200;
  std::uint8_t max_consecutive_failures = 3;
  Duration unreachable_hold = seconds(60);
  std::size_t max_parents = 3;     ///< parent set size (preferred + alternates)
  std::size_t max_neighbors = 32;  ///< neighbour table entries
  Duration detach_hold = seconds(5);

  // --- DIS (RFC 6550 §8.3) ---
  Duration dis_start_jitter = seconds(1);  ///< first DIS within this after start()
  Duration dis_interval = seconds(30);     ///< while not joined (Contiki-NG RPL_DIS_INTERVAL)

  // --- DAO (RFC 6550 §9) ---
  Duration dao_delay = seconds(1);  ///< DEFAULT_DAO_DELAY (RFC 6550 §17)
  bool dao_ack = true;              ///< set K and retransmit until acknowledged
  Duration dao_ack_timeout = seconds(4);
  std::uint8_t dao_max_retransmissions = 4;
  std::size_t max_dao_targets = 4;  ///< storing mode: Target + Transit pairs per DAO
  std::size_t max_routes = 256;     ///< downward routes (root: DAO parent table)
  std::size_t max_source_route_hops = 32;
};

/// Counters of one node's RPL engine.
struct RplStats {
  std::uint64_t dio_tx = 0;
  std::uint64_t dio_rx = 0;
  std::uint64_t dis_tx = 0;
  std::uint64_t dis_rx = 0;
  std::uint64_t dao_tx = 0;  ///< DAO transmissions, retransmissions included
  std::uint64_t dao_rx = 0;
  std::uint64_t dao_ack_tx = 0;
  std::uint64_t dao_ack_rx = 0;
  std::uint64_t dao_retransmissions = 0;
  std::uint64_t dao_failed = 0;  ///< DAOs never acknowledged
  std::uint64_t no_path_dao_tx = 0;
  std::uint64_t parent_changes = 0;
  std::uint64_t local_repairs = 0;
  std::uint64_t global_repairs = 0;  ///< versions adopted (root: versions started)
  std::uint64_t rank_errors = 0;     ///< RPI rank inconsistencies (R set)
  std::uint64_t loop_drops = 0;      ///< packets dropped on a second inconsistency
  std::uint64_t forwarding_errors = 0;
  std::uint64_t no_route = 0;
  std::uint64_t route_no_bufs = 0;     ///< downward routes refused, table full
  std::uint64_t neighbor_no_bufs = 0;  ///< neighbours not recorded, table full
  std::uint64_t rx_dropped = 0;        ///< RPL messages ignored (malformed, foreign)
};

/// A neighbour as RPL sees it (RFC 6550 §8.2.1 candidate neighbour set).
struct RplNeighbor {
  ipv6::Address address;  ///< link-local
  std::uint16_t rank = kInfiniteRank;
  std::uint8_t version = 0;
  std::uint8_t dtsn = 0;
  bool grounded = false;
  bool has_dio = false;  ///< a DIO of the current DODAG version was heard from it
  std::uint8_t consecutive_failures = 0;
  std::optional<LocalTime> unreachable_since;
  LocalTime last_heard{};
  LinkMetrics baseline;                         ///< link counters at the start of the ETX window
  std::optional<LocalTime> unacceptable_since;  ///< ETX over 3 since then
};

/// How to forward a packet toward a destination.
struct NextHop {
  enum class Kind : std::uint8_t {
    kLocal,        ///< the destination is this node
    kUp,           ///< to the preferred parent (default route)
    kDown,         ///< storing mode: to a child with a route to the destination
    kSourceRoute,  ///< root in non-storing mode: use sourceRoute()
    kNone,         ///< no route
  };
  Kind kind = Kind::kNone;
  ipv6::Address neighbor;  ///< link-local next hop for kUp / kDown
};

/// What to do with a packet after checking its RPI (RFC 6550 §11.2.2.2).
enum class RpiVerdict : std::uint8_t { kForward, kDrop };

class Rpl {
 public:
  /// `platform` (timers, random, trace) and `link` must outlive the engine.
  Rpl(platform::Platform& platform, const RplConfig& config, RplLink& link);
  ~Rpl();
  Rpl(const Rpl&) = delete;
  Rpl& operator=(const Rpl&) = delete;

  /// Root: builds the DODAG and starts advertising. Others: start soliciting DIOs.
  void start();
  /// Stops every timer; the state is kept (start() again to resume).
  void stop();

  // --- input ---
  /// An ICMPv6 RPL message (the whole ICMPv6 message, checksum verified here).
  Error receiveIcmp(const ipv6::Address& src, const ipv6::Address& dst, ByteSpan icmp);
  /// An already parsed RPL message from `src` to `dst`.
  void receive(const ipv6::Address& src, const ipv6::Address& dst, const Message& message);
  /// Result of a unicast frame to a neighbour (after all link-layer attempts).
  void onUnicastResult(const ipv6::Address& neighbor, bool acked);
  /// Link statistics changed: re-run parent selection.
  void onLinkMetricsChanged();
  /// The link layer found the neighbour unreachable (e.g. frames to it went unanswered
  /// for a while): avoided as a parent for unreachable_hold.
  void markUnreachable(const ipv6::Address& neighbor);

  // --- root operations ---
  /// Root: global repair (RFC 6550 §3.2.2, §8.2.2.1), a new DODAG version.
  Error globalRepair();
  /// Root: asks every node to send DAOs again (DTSN increment, RFC 6550 §9.6).
  Error requestDaoRefresh();
  /// Local repair by hand (RFC 6550 §8.2.2.5): detach and poison.
  void localRepair();

  // --- state for the MAC (RFC 8180 §6) and the data plane ---
  bool isRoot() const { return config_.root; }
  bool isLeaf() const { return config_.leaf; }
  bool joined() const { return joined_; }
  /// The node's rank (kInfiniteRank when it has none).
  std::uint16_t rank() const { return rank_; }
  /// RFC 8180 §6.3: the node holds a rank it may advertise (joined, not leaf, finite).
  bool hasRank() const;
  /// RFC 8180 §6.1: DAGRank(rank) - 1, capped at 0xff; empty without a rank.
  std::optional<std::uint8_t> joinMetric() const;
  /// RFC 8180 §6.2: the time-source choice, the preferred parent (link-local).
  std::optional<ipv6::Address> preferredParent() const;
  /// The parent set: the preferred parent first, then alternates with a lower DAGRank.
  std::vector<ipv6::Address> parentSet() const;
  /// Whether `neighbor` (link-local) is in the parent set.
  bool isParent(const ipv6::Address& neighbor) const;
  Mop mop() const { return mop_; }
  std::uint8_t instanceId() const { return instance_id_; }
  std::uint8_t version() const { return version_; }
  std::uint8_t dtsn() const { return dtsn_; }
  const ipv6::Address& dodagId() const { return dodag_id_; }
  const DodagConfiguration& dodagConfig() const { return dodag_config_; }
  /// Extra DIO options (RplConfig::dio_extra_options) as the root set them.
  const std::vector<UnknownOption>& dioExtraOptions() const { return extra_options_; }
  /// The DODAG prefix (from the root's configuration or the DIO's PIO).
  std::optional<ipv6::Prefix> prefix() const { return prefix_; }
  ipv6::Address linkLocal() const { return link_local_; }
  /// prefix::IID once the prefix is known.
  std::optional<ipv6::Address> globalAddress() const;
  /// The global address a neighbour forms from the DODAG prefix.
  std::optional<ipv6::Address> globalOf(const ipv6::Address& link_local) const;
  /// True for this node's link-local or global address.
  bool isOwnAddress(const ipv6::Address& a) const;
  const std::vector<RplNeighbor>& neighbors() const { return neighbors_; }
  const RplNeighbor* findNeighbor(const ipv6::Address& link_local) const;
  /// The numTx / numTxAck OF0 uses for a neighbour now (the windowed estimate, or the
  /// default for a link with too few attempts).
  LinkMetrics linkEstimate(const ipv6::Address& link_local) const { return metricsFor(link_local); }
  const RplStats& stats() const { return stats_; }
  const Trickle& trickle() const { return trickle_; }
  const RplConfig& config() const { return config_; }
  /// Downward routes: root in non-storing mode, target -> parent (global); storing mode,
  /// target -> next hop (link-local).
  const RouteTable& routes() const { return routes_; }
  /// Whether the last DAO was acknowledged (non-storing: by the root).
  bool daoAcknowledged() const { return dao_acked_; }

  // --- forwarding (data plane) ---
  /// Where a packet for `dst` goes from here.
  NextHop route(const ipv6::Address& dst) const;
  /// Root, non-storing: the hops after the root to `dst` (the last one is `dst`), from
  /// the DAO parent table. kNotFound without a route, kMalformed on a loop or a path
  /// longer than max_source_route_hops.
  Error sourceRoute(const ipv6::Address& dst, std::vector<ipv6::Address>& hops) const;
  /// The RPI this node puts in a packet it originates or forwards in direction `down`.
  ipv6::RplOption makeRpi(bool down) const;
  /// RFC 6550 §11.2.2.2: checks the RPI of a packet received from a neighbour that this
  /// node forwards in direction `down`; on a first rank inconsistency sets R, on a second
  /// one drops and resets the DIO timer. Then rewrites SenderRank and O for the next hop.
  RpiVerdict processRpi(ipv6::RplOption& rpi, bool down);
  /// RFC 6550 §11.2.2.3 (storing mode): a packet for `dst` came back from `child` with F
  /// set: the route through `child` is removed.
  void onForwardingError(const ipv6::Address& dst, const ipv6::Address& child);

 private:
  friend struct RplTestAccess;

  // dodag.cpp: DIO, DIS, OF0, parent selection, repair.
  void handleDio(const ipv6::Address& src, const Dio& dio);
  void handleDis(const ipv6::Address& src, const ipv6::Address& dst, const Dis& dis);
  void joinDodag(const Dio& dio);
  void adoptConfiguration(const Dio& dio);
  void newVersion(std::uint8_t version);
  void selectParents();
  std::optional<std::uint16_t> pathRankThrough(const RplNeighbor& n,
                                               bool allow_bad_link = false) const;
  LinkMetrics metricsFor(const ipv6::Address& neighbor) const;
  void refreshLink(RplNeighbor& n);
  bool usable(const RplNeighbor& n, bool allow_unreachable = false) const;
  void setPreferredParent(const RplNeighbor& parent, std::uint16_t new_rank);
  const RplNeighbor* preferredNeighbor() const;
  void detach();
  void finishDetach();
  void sendDio(const ipv6::Address& dst);
  Dio buildDio() const;
  void sendDis();
  void startTrickle();
  void resetTrickle();
  RplNeighbor* neighbor(const ipv6::Address& link_local, bool create);
  void onTrickleTransmit();
  static void trickleThunk(void* self);
  void onDisTimer();
  void onHoldTimer();
  void emit(RplEvent e);
  void traceEvent(platform::TraceKind kind, std::string_view reason, std::int64_t value = 1);

  // dao.cpp: DAO, DAO-ACK, route tables.
  void scheduleDao(bool new_path_sequence);
  void onDaoTimer();
  void onDaoAckTimer();
  void sendDao();
  void handleDao(const ipv6::Address& src, const Dao& dao);
  void handleDaoAck(const ipv6::Address& src, const DaoAck& ack);
  void sendNoPathDao(const ipv6::Address& old_parent);
  void cancelDaoInFlight();
  void markAllRoutesPending();
  Duration routeLifetime(std::uint8_t path_lifetime) const;
  bool lifetimeInfinite(std::uint8_t path_lifetime) const;
  void armRouteExpiry();
  void onRouteExpiry();
  void onDaoRefresh();

  platform::Platform& p_;
  platform::Timers& timers_;
  RplConfig config_;
  RplLink& link_;
  ipv6::Address link_local_;

  // DODAG state.
  bool running_ = false;
  bool joined_ = false;
  bool detached_hold_ = false;  ///< poisoning after a local repair
  bool have_dodag_ = false;     ///< instance, DODAGID and version are known
  std::uint8_t instance_id_ = 0;
  ipv6::Address dodag_id_;
  std::uint8_t version_ = 0;
  bool grounded_ = false;
  std::uint8_t preference_ = 0;
  Mop mop_ = Mop::kNonStoring;
  DodagConfiguration dodag_config_;
  std::optional<ipv6::Prefix> prefix_;
  std::optional<PrefixInformation> pio_;
  std::vector<UnknownOption> extra_options_;
  std::uint16_t rank_ = kInfiniteRank;
  std::uint16_t lowest_rank_ = kInfiniteRank;  ///< L of RFC 6550 §8.2.2.4
  std::uint8_t dtsn_ = lollipop::kInit;
  std::uint8_t parent_dtsn_ = 0;
  std::optional<ipv6::Address> preferred_;  ///< link-local address of the preferred parent
  std::vector<RplNeighbor> neighbors_;

  // DAO state.
  std::uint8_t dao_sequence_ = lollipop::kInit;
  std::uint8_t path_sequence_ = lollipop::kInit;
  bool dao_pending_ = false;    ///< a DAO is scheduled or awaiting its ACK
  bool dao_in_flight_ = false;  ///< sent, waiting for the ACK
  bool dao_acked_ = false;
  std::uint8_t dao_attempts_ = 0;
  std::uint8_t in_flight_sequence_ = 0;
  RouteTable routes_;
  std::vector<ipv6::Address> no_path_pending_;  ///< storing: targets to withdraw upward

  RplStats stats_;
  Trickle trickle_;
  platform::Timer dis_timer_{this, &platform::Timer::thunk<&Rpl::onDisTimer>};
  platform::Timer hold_timer_{this, &platform::Timer::thunk<&Rpl::onHoldTimer>};
  platform::Timer dao_timer_{this, &platform::Timer::thunk<&Rpl::onDaoTimer>};
  platform::Timer dao_ack_timer_{this, &platform::Timer::thunk<&Rpl::onDaoAckTimer>};
  platform::Timer route_timer_{this, &platform::Timer::thunk<&Rpl::onRouteExpiry>};
  platform::Timer refresh_timer_{this, &platform::Timer::thunk<&Rpl::onDaoRefresh>};
};

}  // namespace lpm::rpl
