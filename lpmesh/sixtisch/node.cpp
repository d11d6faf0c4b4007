#include "lpmesh/sixtisch/node.hpp"

#include <algorithm>
#include <array>

#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/dispatch.hpp"

namespace lpm::sixtisch {

namespace {

constexpr std::string_view kLayer = "6tisch";

ieee802154::TschConfig macConfig(const SixtischConfig& c) {
  ieee802154::TschConfig t = c.tsch;
  t.coordinator = c.root;
  return t;
}

Eui64 euiOf(const ipv6::Address& a) {
  return ipv6::eui64FromIid(a.iid());
}

void addStats(rpl::RplStats& a, const rpl::RplStats& b) {
  a.dio_tx += b.dio_tx;
  a.dio_rx += b.dio_rx;
  a.dis_tx += b.dis_tx;
  a.dis_rx += b.dis_rx;
  a.dao_tx += b.dao_tx;
  a.dao_rx += b.dao_rx;
  a.dao_ack_tx += b.dao_ack_tx;
  a.dao_ack_rx += b.dao_ack_rx;
  a.dao_retransmissions += b.dao_retransmissions;
  a.dao_failed += b.dao_failed;
  a.no_path_dao_tx += b.no_path_dao_tx;
  a.parent_changes += b.parent_changes;
  a.local_repairs += b.local_repairs;
  a.global_repairs += b.global_repairs;
  a.rank_errors += b.rank_errors;
  a.loop_drops += b.loop_drops;
  a.forwarding_errors += b.forwarding_errors;
  a.no_route += b.no_route;
  a.route_no_bufs += b.route_no_bufs;
  a.neighbor_no_bufs += b.neighbor_no_bufs;
  a.rx_dropped += b.rx_dropped;
}

}  // namespace

SixtischNode::SixtischNode(platform::Platform& platform, const SixtischConfig& config,
                           SixtischObserver* observer)
    : p_(platform),
      config_(config),
      observer_(observer),
      mac_(platform, macConfig(config), *this),
      reassembler_(config.reassembly) {
  config_.tsch.coordinator = config_.root;
  config_.rpl.root = config_.root;
  config_.rpl.iid = ipv6::iidFromEui64(mac_.address());
  config_.traffic.payload_size = std::max<std::size_t>(config_.traffic.payload_size, 8);
  // A DAO and its ACK cross several hops of shared cells: wait at least 20 slotframes.
  const Duration slotframe =
      micros(config_.tsch.timing.timeslot_length) * std::int64_t{config_.tsch.slotframe_length};
  config_.rpl.dao_ack_timeout = std::max(config_.rpl.dao_ack_timeout, slotframe * 20);
  pending_.reserve(config_.tsch.queue_capacity * 2 + 4);
  if (config_.root) {
    // RFC 9032 §2: the root computes the network ID once; every node learns it (and the
    // PAN priority) from the DIOs.
    const ipv6::Prefix pfx = ipv6::Prefix::make(config_.rpl.prefix.address, 64);
    network_id_ = config_.network_id ? *config_.network_id
                                     : defaultNetworkId(pfx.address, config_.network_id_length);
    if (network_id_.size() > kMaxNetworkId) network_id_.resize(kMaxNetworkId);
    pan_priority_ = config_.pan_priority;
    rpl::UnknownOption opt;
    opt.type = kNetworkIdOption;
    opt.value.push_back(pan_priority_);
    opt.value.insert(opt.value.end(), network_id_.begin(), network_id_.end());
    config_.rpl.dio_extra_options.push_back(std::move(opt));
  }
}

SixtischNode::~SixtischNode() {
  p_.timers->stop(traffic_timer_);
  p_.timers->stop(ping_timer_);
  p_.timers->stop(join_timer_);
  p_.timers->stop(parent_check_);
  if (observer_ != nullptr) observer_->onStopped(p_.node_id, *this);
  rpl_.reset();
}

void SixtischNode::start() {
  mac_.start();
}

void SixtischNode::trace(platform::TraceKind kind, std::string_view reason,
                         std::int64_t value) const {
  platform::trace(p_.trace, kLayer, kind, reason, value);
}

rpl::RplStats SixtischNode::rplStats() const {
  rpl::RplStats s = rpl_totals_;
  if (rpl_) addStats(s, rpl_->stats());
  return s;
}

// --- RPL lifetime: one engine per synchronised period ---

void SixtischNode::startRpl() {
  stopRpl();
  rpl::RplConfig c = config_.rpl;
  rpl_.emplace(p_, c, *this);
  updateContext();
  rpl_->start();
  watch_ = {};
  if (!config_.root && config_.parent_check_period.count() > 0) {
    p_.timers->start(parent_check_, config_.parent_check_period);
  }
  if (config_.root && config_.traffic.down_period.count() > 0) {
    p_.timers->start(ping_timer_, config_.traffic.down_period);
  }
}

void SixtischNode::stopRpl() {
  if (!rpl_) return;
  addStats(rpl_totals_, rpl_->stats());
  rpl_.reset();
  reported_rank_ = false;
  p_.timers->stop(ping_timer_);
  p_.timers->stop(parent_check_);
}

void SixtischNode::updateContext() {
  if (!config_.use_prefix_context || !rpl_) return;
  if (const auto pfx = rpl_->prefix()) (void)contexts_.set(0, *pfx);
}

std::optional<ipv6::Address> SixtischNode::rootAddress() const {
  if (!rpl_ || !rpl_->joined()) return std::nullopt;
  return rpl_->dodagId();
}

// --- TschUpperLayer ---

std::optional<std::uint8_t> SixtischNode::joinMetric() const {
  if (config_.root) return 0;  // RFC 8180 §6.1: DAGRank(root) - 1
  if (!rpl_) return std::nullopt;
  return rpl_->joinMetric();  // empty without a rank: no EBs (§6.3)
}

bool SixtischNode::acceptsTimeSource(const ieee802154::TschCandidate& candidate) const {
  if (!config_.enrollment_ie) return true;
  const auto ie = EnrollmentIe::find(candidate.eb.ietf, config_.ie_sub_type);
  if (!ie) return true;  // no (valid) enrollment IE: nothing to judge by
  // RFC 9032: a pledge never uses an announcer with proxy priority 0x7f.
  if (!enrolled_ && ie->proxy_priority == kProxyPriorityNever) return false;
  // Networks already tried without success are skipped.
  return std::find(tried_networks_.begin(), tried_networks_.end(), ie->network_id) ==
         tried_networks_.end();
}

std::optional<std::size_t> SixtischNode::chooseTimeSource(
    std::span<const ieee802154::TschCandidate> candidates) const {
  // Lower PAN priority first (RFC 9032: pledges MAY, enrolled nodes resuming pick the PAN
  // by it), then the lowest Join Metric (RFC 8180 §6.2), then the strongest signal.
  std::optional<std::size_t> best;
  auto key = [&](const ieee802154::TschCandidate& c) {
    std::uint8_t pan = 0xff;
    std::uint8_t proxy = 0;
    if (config_.enrollment_ie) {
      if (const auto ie = EnrollmentIe::find(c.eb.ietf, config_.ie_sub_type)) {
        pan = ie->pan_priority;
        proxy = enrolled_ ? 0 : ie->proxy_priority;
      }
    }
    return std::make_tuple(pan, c.eb.sync.join_metric, proxy, -int{c.rssi_dbm});
  };
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!best || key(candidates[i]) < key(candidates[*best])) best = i;
  }
  chosen_network_.reset();
  if (best && config_.enrollment_ie) {
    if (const auto ie = EnrollmentIe::find(candidates[*best].eb.ietf, config_.ie_sub_type)) {
      chosen_network_ = ie->network_id;
    }
  }
  return best;
}

std::optional<EnrollmentIe> SixtischNode::enrollmentIe() const {
  if (!config_.root && !rpl_) return std::nullopt;
  EnrollmentIe ie;
  const bool has_rank = config_.root || rpl_->hasRank();
  ie.router = has_rank;
  ie.proxy_priority = has_rank && !config_.rpl.leaf
                          ? std::min<std::uint8_t>(config_.proxy_priority, 0x7e)
                          : kProxyPriorityNever;
  // Rank priority from the rank and the load: DAGRank in steps of 16, plus the frames
  // waiting in the MAC queues (up to 15).
  std::uint32_t load = 0;
  for (const auto& n : mac_.neighbors())
    load += n.queued;
  const std::uint16_t rank = rpl_ ? rpl_->rank() : config_.rpl.dodag.min_hop_rank_increase;
  const std::uint32_t dag = rpl::of0::dagRank(
      rank, rpl_ ? rpl_->dodagConfig().min_hop_rank_increase : rpl::kDefaultMinHopRankIncrease);
  ie.rank_priority = static_cast<std::uint16_t>(
      std::min<std::uint32_t>(kRankPriorityMax, dag * 16 + std::min(load, 15U)));
  ie.pan_priority = pan_priority_;
  ie.network_id = network_id_;
  if (!config_.root && rpl_) {
    for (const auto& o : rpl_->dioExtraOptions()) {
      if (o.type == kNetworkIdOption && !o.value.empty()) {
        ie.pan_priority = o.value[0];
        ie.network_id.assign(o.value.begin() + 1,
                             o.value.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                   o.value.size(), kMaxNetworkId + 1)));
      }
    }
  }
  return ie;
}

void SixtischNode::ebIetfIes(std::vector<ieee802154::IetfIe>& out) const {
  ++stats_.eb_built;
  if (observer_ != nullptr) observer_->onEbBuilt(p_.node_id, joinMetric().has_value());
  if (!config_.enrollment_ie) return;
  const auto ie = enrollmentIe();
  if (!ie) return;
  if (auto ietf = ie->toIetfIe(config_.ie_sub_type)) out.push_back(std::move(ietf).value());
}

void SixtischNode::onSynchronized(const Eui64& /*time_source*/, std::uint8_t /*jm*/) {
  trace(platform::TraceKind::kState, "synchronized");
  if (observer_ != nullptr) observer_->onSynchronized(p_.node_id);
  startRpl();
  if (!config_.root && config_.join_give_up.count() > 0) {
    p_.timers->start(join_timer_, config_.join_give_up);
  }
}

void SixtischNode::onDesynchronized() {
  // RFC 8180 §6.2: no time source left, the node joins again; its RPL state goes too.
  trace(platform::TraceKind::kState, "desynchronized");
  p_.timers->stop(join_timer_);
  stopRpl();
  if (observer_ != nullptr) observer_->onDesynchronized(p_.node_id);
}

void SixtischNode::onJoinTimer() {
  if (rpl_ && rpl_->joined()) return;
  // This PAN gave no rank in time: remember its network ID and scan for another.
  ++stats_.networks_given_up;
  trace(platform::TraceKind::kCounter, "network_given_up");
  if (chosen_network_) tried_networks_.push_back(*chosen_network_);
  stopRpl();
  mac_.stop();
  mac_.start();
  if (observer_ != nullptr) observer_->onDesynchronized(p_.node_id);
}

// --- RplLink ---

Error SixtischNode::sendRpl(const ipv6::Address& dst, const rpl::Message& message) {
  if (!rpl_) return Error::kInvalidState;
  ipv6::Address src = rpl_->linkLocal();
  if (!dst.isMulticast() && !dst.isLinkLocal()) {
    const auto g = rpl_->globalAddress();
    if (!g) return Error::kInvalidState;
    src = *g;
  }
  const bool multicast_dio = dst.isMulticast() && std::holds_alternative<rpl::Dio>(message);
  if (multicast_dio) {
    // The shared cells carry one broadcast each: while a DIO still waits in the MAC
    // queue a newer one would only queue behind it (Trickle at Imin fires every few ms).
    const bool queued =
        std::any_of(pending_.begin(), pending_.end(), [](const Pending& p) { return p.dio; });
    if (queued) {
      ++stats_.dio_skipped;
      return Error::kBusy;
    }
  }
  auto icmp = rpl::buildIcmpv6Message(src, dst, message);
  if (!icmp) return icmp.error();
  ipv6::Header h;
  h.next_header = ipv6::proto::kIcmpv6;
  h.hop_limit = 64;
  h.src = src;
  h.dst = dst;
  auto datagram = h.build(*icmp);
  if (!datagram) return datagram.error();
  sending_dio_ = multicast_dio;
  const Error e = sendDatagram(*datagram);
  sending_dio_ = false;
  return e;
}

std::optional<rpl::LinkMetrics> SixtischNode::linkMetrics(const ipv6::Address& neighbor) const {
  const auto* n = mac_.findNeighbor(euiOf(neighbor));
  if (n == nullptr) return std::nullopt;
  return rpl::LinkMetrics{n->num_tx, n->num_tx_ack};
}

void SixtischNode::onRplEvent(rpl::RplEvent event) {
  if (!rpl_) return;
  switch (event) {
    case rpl::RplEvent::kJoined:
      updateContext();
      if (!config_.root && config_.traffic.up_period.count() > 0 && !traffic_started_) {
        traffic_started_ = true;
        const auto jitter = static_cast<std::int64_t>(
            p_.random->below(static_cast<std::uint64_t>(config_.traffic.up_period.count())));
        p_.timers->start(traffic_timer_, config_.traffic.start_delay + Duration{jitter});
      }
      break;
    case rpl::RplEvent::kParentChanged: {
      const auto parent = rpl_->preferredParent();
      std::optional<Eui64> eui;
      if (parent) {
        eui = euiOf(*parent);
        // RFC 8180 §6.2: the time source is chosen among the RPL parents.
        (void)mac_.setTimeSource(*eui);
      }
      if (observer_ != nullptr) observer_->onParentChanged(p_.node_id, eui);
      break;
    }
    case rpl::RplEvent::kRankChanged:
      if (observer_ != nullptr) observer_->onRankChanged(p_.node_id, rpl_->rank());
      break;
    case rpl::RplEvent::kDaoAcked:
      enrolled_ = true;
      p_.timers->stop(join_timer_);
      if (observer_ != nullptr) observer_->onDaoAcked(p_.node_id);
      break;
    default:
      break;
  }
}

// --- output ---

LinkContext SixtischNode::linkTo(const std::optional<Eui64>& dest) const {
  LinkContext l;
  l.l2_src = sixlowpan::LinkAddress::fromExtended(mac_.address());
  l.l2_dst = dest ? sixlowpan::LinkAddress::fromExtended(*dest)
                  : sixlowpan::LinkAddress::fromShort(0xffff, config_.tsch.pan_id);
  l.contexts = &contexts_;
  if (rpl_) l.root = rpl_->dodagId();
  return l;
}

LinkContext SixtischNode::linkFrom(const Eui64& source, bool broadcast) const {
  LinkContext l;
  l.l2_src = sixlowpan::LinkAddress::fromExtended(source);
  l.l2_dst = broadcast ? sixlowpan::LinkAddress::fromShort(0xffff, config_.tsch.pan_id)
                       : sixlowpan::LinkAddress::fromExtended(mac_.address());
  l.contexts = &contexts_;
  if (rpl_) l.root = rpl_->dodagId();
  return l;
}

Error SixtischNode::sendDatagram(ByteSpan datagram) {
  auto h = ipv6::Header::parse(datagram);
  if (!h) return h.error();
  ++stats_.ip_tx;
  RoutedPacket p;
  p.datagram.assign(datagram.begin(), datagram.end());
  if (h->dst.isMulticast()) return sendOnLink(std::nullopt, p);
  if (h->dst.isLinkLocal() && !(rpl_ && rpl_->isOwnAddress(h->dst))) {
    return sendOnLink(euiOf(h->dst), p);
  }
  forward(std::move(p), std::nullopt);
  return Error::kNone;
}

Error SixtischNode::sendUdp(const ipv6::Address& dst, std::uint16_t src_port,
                            std::uint16_t dst_port, ByteSpan payload) {
  if (!rpl_ || !rpl_->globalAddress()) return Error::kInvalidState;
  const ipv6::Address src = *rpl_->globalAddress();
  auto udp = ipv6::buildUdp(src, dst, src_port, dst_port, payload);
  if (!udp) return udp.error();
  ipv6::Header h;
  h.next_header = ipv6::proto::kUdp;
  h.hop_limit = 64;
  h.src = src;
  h.dst = dst;
  auto d = h.build(*udp);
  if (!d) return d.error();
  return sendDatagram(*d);
}

Error SixtischNode::ping(const ipv6::Address& dst, std::uint16_t sequence, std::size_t data_size) {
  if (!rpl_ || !rpl_->globalAddress()) return Error::kInvalidState;
  const ipv6::Address src = *rpl_->globalAddress();
  Bytes data(std::max<std::size_t>(data_size, 4), 0);
  ipv6::Echo echo;
  echo.identifier = kEchoIdentifier;
  echo.sequence = sequence;
  echo.data = data;
  auto icmp = ipv6::buildEcho(src, dst, false, echo);
  if (!icmp) return icmp.error();
  ipv6::Header h;
  h.next_header = ipv6::proto::kIcmpv6;
  h.hop_limit = 64;
  h.src = src;
  h.dst = dst;
  auto d = h.build(*icmp);
  if (!d) return d.error();
  return sendDatagram(*d);
}

Error SixtischNode::sendOnLink(const std::optional<Eui64>& dest, const RoutedPacket& packet) {
  sixlowpan::CompressInfo info;
  auto payload = encodeRoutedPacket(packet, linkTo(dest), &info);
  if (!payload) {
    ++stats_.drop_malformed;
    trace(platform::TraceKind::kDrop, "encode_failed");
    return payload.error();
  }
  return sendFrame(dest, *payload, info, packet.hasArtefacts());
}

Error SixtischNode::sendFrame(const std::optional<Eui64>& dest, ByteSpan lowpan,
                              const sixlowpan::CompressInfo& info, bool page1) {
  auto send_one = [&](ByteSpan frame) -> Error {
    auto handle = mac_.send(dest, frame);
    if (!handle) {
      ++stats_.drop_mac_queue;
      trace(platform::TraceKind::kDrop, "mac_queue");
      return handle.error();
    }
    ++stats_.frames_tx;
    if (dest || sending_dio_) {
      if (pending_.size() >= pending_.capacity()) pending_.erase(pending_.begin());
      pending_.push_back({*handle, dest, sending_dio_});
    }
    return Error::kNone;
  };
  const std::size_t max = mac_.maxPayload(!dest);
  if (lowpan.size() <= max) return send_one(lowpan);
  if (page1) {
    // Page-1 payloads are not fragmented here (the reassembler reads IPHC only).
    ++stats_.drop_too_big;
    trace(platform::TraceKind::kDrop, "too_big");
    return Error::kTooLong;
  }
  auto frags = sixlowpan::fragment(lowpan, info, frag_tag_++, max);
  if (!frags) {
    ++stats_.drop_too_big;
    trace(platform::TraceKind::kDrop, "too_big");
    return frags.error();
  }
  for (const Bytes& f : *frags) {
    ++stats_.fragments_tx;
    LPM_TRY(send_one(f));
  }
  return Error::kNone;
}

// --- forwarding (RFC 6550 §9-§11, RFC 6554, RFC 9008) ---

void SixtischNode::forward(RoutedPacket packet, const std::optional<Eui64>& from) {
  auto drop = [&](std::uint64_t& counter, std::string_view why) {
    ++counter;
    trace(platform::TraceKind::kDrop, why);
  };
  auto h = ipv6::Header::parse(packet.datagram);
  if (!h) return drop(stats_.drop_malformed, "malformed");
  auto is_own = [&](const ipv6::Address& a) { return rpl_ && rpl_->isOwnAddress(a); };
  auto decrement_hop_limit = [&]() -> bool {
    if (packet.encapsulator) return --packet.outer_hop_limit > 0;
    if (packet.datagram[7] <= 1) return false;
    --packet.datagram[7];
    return true;
  };

  if (!packet.srh.empty()) {
    // RFC 6554 §4.2 as RFC 8138 §5 carries it: consume our own address; the packet is
    // ours when no hop is left, it loops when our address comes again.
    while (!packet.srh.empty() && is_own(packet.srh.front()))
      packet.srh.erase(packet.srh.begin());
    if (packet.srh.empty()) {
      deliverLocal(packet);
      return;
    }
    if (std::any_of(packet.srh.begin(), packet.srh.end(), is_own)) {
      return drop(stats_.drop_loop, "srh_loop");
    }
    if (from && !decrement_hop_limit()) return drop(stats_.drop_hop_limit, "hop_limit");
    if (from) ++stats_.ip_forwarded;
    (void)sendOnLink(euiOf(packet.srh.front()), packet);
    return;
  }

  const ipv6::Address dst = h->dst;
  if (dst.isMulticast() || is_own(dst)) {
    if (from || is_own(dst)) deliverLocal(packet);
    return;
  }
  if (dst.isLinkLocal() || !rpl_) return drop(stats_.drop_no_route, "no_route");
  if (from && !decrement_hop_limit()) return drop(stats_.drop_hop_limit, "hop_limit");

  const rpl::NextHop nh = rpl_->route(dst);
  switch (nh.kind) {
    case rpl::NextHop::Kind::kLocal:
      deliverLocal(packet);
      return;
    case rpl::NextHop::Kind::kSourceRoute: {
      std::vector<ipv6::Address> hops;
      if (rpl_->sourceRoute(dst, hops) != Error::kNone || hops.empty()) {
        return drop(stats_.drop_no_route, "no_source_route");
      }
      if (from) {
        // RFC 9008 §7: a packet the root did not originate is tunnelled to carry the
        // source route; the root is the encapsulator (elided in the IP-in-IP-6LoRH).
        packet.encapsulator = rpl_->dodagId();
        packet.outer_hop_limit = 64;
        ++stats_.ip_forwarded;
      }
      packet.rpi = rpl_->makeRpi(true);
      packet.srh = std::move(hops);
      (void)sendOnLink(euiOf(packet.srh.front()), packet);
      return;
    }
    case rpl::NextHop::Kind::kUp:
    case rpl::NextHop::Kind::kDown: {
      const bool down = nh.kind == rpl::NextHop::Kind::kDown;
      if (from && packet.rpi) {
        if (packet.rpi->forwarding_error) {
          // RFC 6550 §11.2.2.3: a child could not route it down: drop that route.
          rpl_->onForwardingError(dst, ipv6::linkLocalFromEui64(*from));
          return drop(stats_.drop_no_route, "forwarding_error");
        }
        if (rpl_->processRpi(*packet.rpi, down) == rpl::RpiVerdict::kDrop) {
          return drop(stats_.drop_loop, "rank_error");
        }
      } else {
        packet.rpi = rpl_->makeRpi(down);
      }
      if (from) ++stats_.ip_forwarded;
      (void)sendOnLink(euiOf(nh.neighbor), packet);
      return;
    }
    case rpl::NextHop::Kind::kNone:
      if (from && packet.rpi && packet.rpi->down && rpl_->mop() != rpl::Mop::kNonStoring) {
        // RFC 6550 §11.2.2.3: storing mode, no route down: back to the parent with F.
        packet.rpi->forwarding_error = true;
        (void)sendOnLink(*from, packet);
        return;
      }
      return drop(stats_.drop_no_route, "no_route");
  }
}

// --- input ---

void SixtischNode::onReceive(const ieee802154::TschRxData& data) {
  if (data.payload.empty()) return;
  const LinkContext link = linkFrom(data.source, data.broadcast);
  const std::uint8_t d0 = data.payload[0];
  switch (sixlowpan::classifyDispatch(d0)) {
    case sixlowpan::DispatchKind::kFrag1:
    case sixlowpan::DispatchKind::kFragN: {
      auto r =
          reassembler_.add(data.payload, link.l2_src, link.l2_dst, contexts_, p_.timers->now());
      if (r && r->complete) handleDatagram(r->datagram, data.source);
      return;
    }
    case sixlowpan::DispatchKind::kPage: {
      if (!rpl_) return;  // 6LoRH refer to the DODAG root: nothing to do before RPL runs
      auto p = decodePage1(data.payload, link);
      if (!p) {
        ++stats_.drop_malformed;
        trace(platform::TraceKind::kDrop, "page1_malformed");
        return;
      }
      forward(std::move(p).value(), data.source);
      return;
    }
    case sixlowpan::DispatchKind::kIphc:
    case sixlowpan::DispatchKind::kIpv6: {
      auto d = sixlowpan::decompress(data.payload, link.l2_src, link.l2_dst, contexts_);
      if (!d) {
        ++stats_.drop_malformed;
        trace(platform::TraceKind::kDrop, "iphc_malformed");
        return;
      }
      handleDatagram(*d, data.source);
      return;
    }
    default:
      ++stats_.drop_malformed;
      trace(platform::TraceKind::kDrop, "unknown_dispatch");
      return;
  }
}

void SixtischNode::handleDatagram(ByteSpan datagram, const Eui64& from) {
  RoutedPacket p;
  p.datagram.assign(datagram.begin(), datagram.end());
  forward(std::move(p), from);
}

void SixtischNode::deliverLocal(const RoutedPacket& packet) {
  auto dg = ipv6::Datagram::parse(packet.datagram);
  if (!dg) {
    ++stats_.drop_malformed;
    return;
  }
  ++stats_.ip_delivered;
  const ipv6::Address& src = dg->header.src;
  const ipv6::Address& dst = dg->header.dst;
  const ByteSpan upper = ByteSpan(packet.datagram).subspan(dg->upper_offset);
  if (dg->upper_protocol == ipv6::proto::kIcmpv6) {
    auto icmp = ipv6::Icmpv6Message::parse(src, dst, upper);
    if (!icmp) {
      ++stats_.drop_malformed;
      return;
    }
    if (icmp->type == ipv6::icmp::kRpl) {
      if (rpl_) (void)rpl_->receiveIcmp(src, dst, upper);
    } else if (icmp->type == ipv6::icmp::kEchoRequest && !dst.isMulticast()) {
      auto echo = ipv6::Echo::parse(icmp->body);
      if (!echo) return;
      ++stats_.echo_received;
      if (echo->identifier == kEchoIdentifier && observer_ != nullptr) {
        observer_->onDownReceived(p_.node_id, echo->sequence);
      }
      auto reply = ipv6::buildEcho(dst, src, true, *echo);
      if (!reply) return;
      ipv6::Header h;
      h.next_header = ipv6::proto::kIcmpv6;
      h.hop_limit = 64;
      h.src = dst;
      h.dst = src;
      if (auto d = h.build(*reply)) (void)sendDatagram(*d);
    } else if (icmp->type == ipv6::icmp::kEchoReply) {
      auto echo = ipv6::Echo::parse(icmp->body);
      if (!echo) return;
      ++stats_.echo_replies;
      if (echo->identifier == kEchoIdentifier && observer_ != nullptr) {
        observer_->onEchoReply(p_.node_id, euiOf(src), echo->sequence);
      }
    }
    return;
  }
  if (dg->upper_protocol == ipv6::proto::kUdp) {
    auto udp = ipv6::UdpDatagram::parse(src, dst, upper);
    if (!udp) {
      ++stats_.drop_malformed;
      return;
    }
    if (udp->header.dst_port == kTrafficPort && udp->payload.size() >= 8) {
      ByteReader r(udp->payload);
      const std::uint32_t origin = r.u32le();
      const std::uint32_t seq = r.u32le();
      ++stats_.up_received;
      if (observer_ != nullptr) observer_->onUpReceived(p_.node_id, origin, seq);
    }
  }
}

void SixtischNode::onSendDone(std::uint32_t handle, Error status, std::uint8_t /*attempts*/) {
  const auto it = std::find_if(pending_.begin(), pending_.end(),
                               [&](const Pending& p) { return p.handle == handle; });
  if (it == pending_.end()) return;
  const std::optional<Eui64> dest = it->dest;
  pending_.erase(it);
  if (!dest || !rpl_ || status == Error::kDropped) return;
  const ipv6::Address ll = ipv6::linkLocalFromEui64(*dest);
  rpl_->onUnicastResult(ll, status == Error::kNone);
  if (rpl_) rpl_->onLinkMetricsChanged();
}

void SixtischNode::onParentCheck() {
  p_.timers->start(parent_check_, config_.parent_check_period);
  if (!rpl_ || !rpl_->joined()) return;
  const auto parent = rpl_->preferredParent();
  if (!parent) return;
  const Eui64 eui = euiOf(*parent);
  const auto* n = mac_.findNeighbor(eui);
  if (n == nullptr) return;
  if (!watch_.valid || watch_.parent != eui || n->num_tx < watch_.num_tx ||
      n->num_tx_ack != watch_.num_tx_ack) {
    watch_ = {eui, n->num_tx, n->num_tx_ack, p_.timers->now(), true};
    return;
  }
  const std::uint32_t unanswered = n->num_tx - watch_.num_tx;
  if (unanswered >= 2U * (std::uint32_t{config_.tsch.max_frame_retries} + 1U) &&
      p_.timers->now() - watch_.since >= config_.parent_silence) {
    trace(platform::TraceKind::kCounter, "parent_silent");
    watch_.valid = false;
    rpl_->markUnreachable(*parent);
  }
}

// --- traffic ---

void SixtischNode::onTrafficTimer() {
  p_.timers->start(traffic_timer_, config_.traffic.up_period);
  const auto root = rootAddress();
  if (!root) return;
  Bytes payload(config_.traffic.payload_size, 0);
  const std::uint32_t id = p_.node_id;
  const std::uint32_t seq = up_seq_++;
  for (std::size_t i = 0; i < 4; ++i) {
    payload[i] = static_cast<std::uint8_t>(id >> (8 * i));
    payload[4 + i] = static_cast<std::uint8_t>(seq >> (8 * i));
  }
  ++stats_.up_sent;
  if (observer_ != nullptr) observer_->onUpSent(p_.node_id, seq);
  (void)sendUdp(*root, kTrafficPort, kTrafficPort, payload);
}

void SixtischNode::onPingTimer() {
  const Duration period = config_.traffic.down_period;
  if (!rpl_) return;
  const auto routes = rpl_->routes().all();
  if (routes.empty()) {
    p_.timers->start(ping_timer_, period);
    return;
  }
  // Round robin over the known targets: each is pinged about once per period.
  const rpl::Route& r = routes[ping_cursor_ % routes.size()];
  ++ping_cursor_;
  const std::uint16_t seq = ++ping_seq_;
  ++stats_.echo_sent;
  if (observer_ != nullptr) observer_->onDownSent(p_.node_id, euiOf(r.target), seq);
  (void)ping(r.target, seq, config_.traffic.payload_size);
  p_.timers->start(ping_timer_, period / static_cast<std::int64_t>(routes.size()));
}

}  // namespace lpm::sixtisch
