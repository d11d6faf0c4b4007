// A 6TiSCH node (RFC 8180) as one platform::Stack: the TSCH MAC, 6LoWPAN (IPHC, RFC 4944
// fragmentation, RFC 8138 6LoRH), IPv6 with ICMPv6 and UDP, and RPL. The root is the
// 6LBR, the DODAG root and the PAN coordinator.
//
// Network formation (RFC 8180 §6): the node synchronises on EBs (the MAC), then runs RPL;
// its Join Metric is DAGRank(rank) - 1 and it sends no EB before it has a rank (§6.1,
// §6.3, through TschUpperLayer::joinMetric); its time source follows the RPL preferred
// parent (§6.2); when the MAC loses every time source it desynchronises, RPL state is
// dropped and the node joins again. EBs carry the RFC 9032 enrollment IE; pledges use it
// to choose where to synchronise (enrollment_ie.hpp, chooseTimeSource()).
//
// The network ID and PAN priority the root sets reach every node in a DIO option of
// type kNetworkIdOption (RFC 9032 §2 has the root compute the network ID once and leaves
// the RPL option to future work; the type used here is not IANA-assigned).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/ieee802154/tsch_config.hpp"
#include "lpmesh/ieee802154/tsch_mac.hpp"
#include "lpmesh/ieee802154/tsch_upper.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/rpl/rpl.hpp"
#include "lpmesh/sixlowpan/context.hpp"
#include "lpmesh/sixlowpan/fragment.hpp"
#include "lpmesh/sixtisch/enrollment_ie.hpp"
#include "lpmesh/sixtisch/routed_packet.hpp"

namespace lpm::sixtisch {

/// RPL DIO option carrying PAN priority (1 octet) and network ID (1..16 octets).
inline constexpr std::uint8_t kNetworkIdOption = 0x7a;
/// UDP port of the traffic generator (0xF0B0: RFC 6282 compresses it to 4 bits).
inline constexpr std::uint16_t kTrafficPort = 0xf0b0;
inline constexpr std::uint16_t kEchoIdentifier = 0x6c70;  ///< "lp"

/// Application traffic (RFC 8180 scenario of issue #5 §4).
struct SixtischTraffic {
  Duration up_period{0};          ///< each node: one UDP packet to the root every period (0: off)
  Duration down_period{0};        ///< root: pings every node it has a route to once per period
  std::size_t payload_size = 16;  ///< UDP payload / echo data, at least 8
  /// Upward traffic starts this long after the node acquired a rank, plus a random part
  /// of one period.
  Duration start_delay = seconds(0);
};

struct SixtischConfig {
  bool root = false;
  ieee802154::TschConfig tsch;
  rpl::RplConfig rpl;
  /// Compress global addresses with context 0 = the DODAG prefix (RFC 6282 §3.1.1).
  bool use_prefix_context = true;
  sixlowpan::ReassemblerConfig reassembly{2, 1280, seconds(60)};
  // --- RFC 9032 enrollment IE ---
  bool enrollment_ie = true;
  std::uint8_t ie_sub_type = kJoinInfoSubType;
  std::uint8_t pan_priority = 0x80;    ///< root: announced for the whole PAN
  std::uint8_t proxy_priority = 0x00;  ///< routers; leaves announce 0x7f
  std::size_t network_id_length = 8;
  std::optional<Bytes> network_id;  ///< root: instead of SHA-256 of the prefix
  /// A pledge that has no RPL rank this long after synchronising gives up on that PAN
  /// (its network ID is then skipped) and scans again; 0 = never (MAX_JOIN_TIME of
  /// RFC 8180 Figure 5 is the MAC's tsch.max_join_time for queues).
  Duration join_give_up{0};
  /// How often the preferred parent's MAC counters are checked. It is declared
  /// unreachable when it acknowledged nothing for parent_silence while at least two
  /// packets' worth of attempts (2 x (retries + 1)) went to it: congestion delays ACKs,
  /// a dead parent stops them.
  Duration parent_check_period = seconds(5);
  Duration parent_silence = seconds(30);
  SixtischTraffic traffic;
};

/// 6LoWPAN / IP counters of one node.
struct SixtischStats {
  std::uint64_t ip_tx = 0;  ///< datagrams originated
  std::uint64_t ip_forwarded = 0;
  std::uint64_t ip_delivered = 0;  ///< datagrams for this node
  std::uint64_t frames_tx = 0;     ///< frames handed to the MAC (fragments counted)
  std::uint64_t fragments_tx = 0;
  std::uint64_t drop_no_route = 0;
  std::uint64_t drop_too_big = 0;
  std::uint64_t drop_mac_queue = 0;
  std::uint64_t drop_malformed = 0;
  std::uint64_t drop_loop = 0;  ///< RPI rank error twice, or own address later in the SRH
  std::uint64_t drop_hop_limit = 0;
  std::uint64_t up_sent = 0;
  std::uint64_t up_received = 0;  ///< root
  std::uint64_t echo_sent = 0;    ///< root
  std::uint64_t echo_received = 0;
  std::uint64_t echo_replies = 0;  ///< root: replies received
  std::uint64_t eb_built = 0;
  std::uint64_t dio_skipped = 0;  ///< multicast DIOs not queued: one still waits in the MAC
  std::uint64_t networks_given_up = 0;
};

class SixtischNode;

/// What a run measures; one observer serves every node. Times are the observer's own
/// (the simulator's true time); addresses are EUI-64s.
class SixtischObserver {
 public:
  virtual ~SixtischObserver() = default;
  virtual void onSynchronized(NodeId /*node*/) {}
  virtual void onDesynchronized(NodeId /*node*/) {}
  virtual void onRankChanged(NodeId /*node*/, std::uint16_t /*rank*/) {}
  virtual void onParentChanged(NodeId /*node*/, std::optional<Eui64> /*parent*/) {}
  /// The root acknowledged this node's DAO: it is reachable downward.
  virtual void onDaoAcked(NodeId /*node*/) {}
  virtual void onEbBuilt(NodeId /*node*/, bool /*had_rank*/) {}
  virtual void onUpSent(NodeId /*node*/, std::uint32_t /*seq*/) {}
  virtual void onUpReceived(NodeId /*root*/, NodeId /*origin*/, std::uint32_t /*seq*/) {}
  virtual void onDownSent(NodeId /*root*/, const Eui64& /*target*/, std::uint16_t /*seq*/) {}
  virtual void onDownReceived(NodeId /*node*/, std::uint16_t /*seq*/) {}
  virtual void onEchoReply(NodeId /*root*/, const Eui64& /*from*/, std::uint16_t /*seq*/) {}
  /// The stack is going away: its final state.
  virtual void onStopped(NodeId /*node*/, const SixtischNode& /*node_stack*/) {}
};

class SixtischNode final : public platform::Stack,
                           public ieee802154::TschUpperLayer,
                           public rpl::RplLink {
 public:
  SixtischNode(platform::Platform& platform, const SixtischConfig& config,
               SixtischObserver* observer);
  ~SixtischNode() override;
  SixtischNode(const SixtischNode&) = delete;
  SixtischNode& operator=(const SixtischNode&) = delete;

  void start() override;

  /// Sends a whole IPv6 datagram originated here (routes it, compresses it).
  Error sendDatagram(ByteSpan datagram);
  /// Sends a UDP datagram from this node's global address.
  Error sendUdp(const ipv6::Address& dst, std::uint16_t src_port, std::uint16_t dst_port,
                ByteSpan payload);
  /// Sends an ICMPv6 echo request.
  Error ping(const ipv6::Address& dst, std::uint16_t sequence, std::size_t data_size = 8);

  ieee802154::TschMac& mac() { return mac_; }
  const ieee802154::TschMac& mac() const { return mac_; }
  /// The RPL engine (null while the node is not synchronised).
  rpl::Rpl* rpl() { return rpl_ ? &*rpl_ : nullptr; }
  const rpl::Rpl* rpl() const { return rpl_ ? &*rpl_ : nullptr; }
  /// RPL counters accumulated over every synchronised period.
  rpl::RplStats rplStats() const;
  const SixtischStats& stats() const { return stats_; }
  const SixtischConfig& config() const { return config_; }
  bool isRoot() const { return config_.root; }
  Eui64 eui64() const { return mac_.address(); }
  /// The enrollment IE this node would put in an EB now.
  std::optional<EnrollmentIe> enrollmentIe() const;
  /// Network IDs this node gave up on (skipped when choosing a PAN).
  const std::vector<Bytes>& triedNetworks() const { return tried_networks_; }
  bool enrolled() const { return enrolled_; }

  // --- ieee802154::TschUpperLayer ---
  std::optional<std::uint8_t> joinMetric() const override;
  bool acceptsTimeSource(const ieee802154::TschCandidate& candidate) const override;
  std::optional<std::size_t> chooseTimeSource(
      std::span<const ieee802154::TschCandidate> candidates) const override;
  void ebIetfIes(std::vector<ieee802154::IetfIe>& out) const override;
  void onSynchronized(const Eui64& time_source, std::uint8_t source_join_metric) override;
  void onDesynchronized() override;
  void onReceive(const ieee802154::TschRxData& data) override;
  void onSendDone(std::uint32_t handle, Error status, std::uint8_t attempts) override;

  // --- rpl::RplLink ---
  Error sendRpl(const ipv6::Address& dst, const rpl::Message& message) override;
  std::optional<rpl::LinkMetrics> linkMetrics(const ipv6::Address& neighbor) const override;
  void onRplEvent(rpl::RplEvent event) override;

 private:
  void startRpl();
  void stopRpl();
  LinkContext linkTo(const std::optional<Eui64>& dest) const;
  LinkContext linkFrom(const Eui64& source, bool broadcast) const;
  Error sendFrame(const std::optional<Eui64>& dest, ByteSpan lowpan,
                  const sixlowpan::CompressInfo& info, bool page1);
  Error sendOnLink(const std::optional<Eui64>& dest, const RoutedPacket& packet);
  void forward(RoutedPacket packet, const std::optional<Eui64>& from);
  void deliverLocal(const RoutedPacket& packet);
  void handleDatagram(ByteSpan datagram, const Eui64& from);
  void updateContext();
  void onTrafficTimer();
  void onPingTimer();
  void onJoinTimer();
  void onParentCheck();
  void enrollmentFromDio();
  std::optional<ipv6::Address> rootAddress() const;
  void trace(platform::TraceKind kind, std::string_view reason, std::int64_t value = 1) const;

  platform::Platform& p_;
  SixtischConfig config_;
  SixtischObserver* observer_;
  ieee802154::TschMac mac_;
  std::optional<rpl::Rpl> rpl_;
  rpl::RplStats rpl_totals_{};  ///< of RPL instances already torn down
  sixlowpan::ContextTable contexts_;
  sixlowpan::Reassembler reassembler_;
  std::uint16_t frag_tag_ = 0;
  mutable SixtischStats stats_;  // eb_built counts in the const EB hook

  /// Outstanding MAC handles of unicast frames and their destinations.
  struct Pending {
    std::uint32_t handle = 0;
    std::optional<Eui64> dest;  ///< empty: broadcast
    bool dio = false;
  };
  std::vector<Pending> pending_;
  bool sending_dio_ = false;  ///< the frame being queued carries a multicast DIO

  // Enrollment.
  std::uint8_t pan_priority_ = 0xff;
  Bytes network_id_;
  bool enrolled_ = false;
  std::vector<Bytes> tried_networks_;
  mutable std::optional<Bytes> chosen_network_;

  // Traffic.
  bool traffic_started_ = false;
  std::uint32_t up_seq_ = 0;
  std::uint16_t ping_seq_ = 0;
  std::size_t ping_cursor_ = 0;
  bool reported_rank_ = false;

  platform::Timer traffic_timer_{this, &platform::Timer::thunk<&SixtischNode::onTrafficTimer>};
  platform::Timer ping_timer_{this, &platform::Timer::thunk<&SixtischNode::onPingTimer>};
  platform::Timer join_timer_{this, &platform::Timer::thunk<&SixtischNode::onJoinTimer>};
  platform::Timer parent_check_{this, &platform::Timer::thunk<&SixtischNode::onParentCheck>};

  /// The MAC counters of the preferred parent at its last acknowledgment: keep-alives are
  /// MAC frames whose results the routing layer never sees, so a dead parent shows only
  /// as attempts without ACKs in these counters.
  struct ParentWatch {
    Eui64 parent{};
    std::uint32_t num_tx = 0;
    std::uint32_t num_tx_ack = 0;
    LocalTime since{};
    bool valid = false;
  };
  ParentWatch watch_;
};

}  // namespace lpm::sixtisch
