// Lower transport (Mesh 1.1 §3.5): PDU formats against the §8 sample data, SeqAuth, and
// the SAR transmitter/receiver and replay protection driven by a fake clock.
#include "lpmesh/btmesh/lower_transport.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <set>

#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/test_util.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;
using test::hexOf;

// --- PDU formats ------------------------------------------------------------------------

TEST(BtmeshLowerTransportPdu, SampleMessagesRoundTrip) {
  const auto vectors = test::vectorList(test::loadVectorFile("btmesh/messages.json"));
  int checked = 0;
  for (const auto& v : vectors) {
    const bool ctl = v["inputs"]["CTL"] == "01";
    std::vector<std::string> pdus;
    if (v["expected"].contains("lower_transport_pdu")) {
      pdus.push_back(v["expected"]["lower_transport_pdu"]);
    }
    if (v["inputs"].contains("lower_transport_pdu")) {
      pdus.push_back(v["inputs"]["lower_transport_pdu"]);
    }
    if (v["expected"].contains("segments")) {
      for (const auto& s : v["expected"]["segments"])
        pdus.push_back(s["lower_transport_pdu"]);
    }
    for (const auto& text : pdus) {
      const Bytes raw = hex(text);
      auto pdu = LowerTransportPdu::parse(ctl, raw);
      ASSERT_TRUE(pdu.ok()) << v["name"] << " " << text;
      Bytes again;
      ASSERT_EQ(pdu->encode(again), Error::kNone);
      EXPECT_EQ(hexOf(again), text) << v["name"];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 23);
}

TEST(BtmeshLowerTransportPdu, SegmentHeadersOfMessage6And24) {
  // Message #6 segment 1: SEG 1, AKF 0, AID 0, SZMIC 0, SeqZero 0x9ab, SegO 1, SegN 1.
  const Bytes s_raw = hex("8026ac21cfdc18c52fdef772e0e17308");
  auto s = LowerTransportPdu::parse(false, s_raw);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->seg);
  EXPECT_FALSE(s->akf);
  EXPECT_EQ(s->aid, 0);
  EXPECT_FALSE(s->szmic);
  EXPECT_EQ(s->seq_zero, 0x09ab);
  EXPECT_EQ(s->seg_o, 1);
  EXPECT_EQ(s->seg_n, 1);
  EXPECT_EQ(hexOf(s->payload), "cfdc18c52fdef772e0e17308");
  // Message #24 segment 0: AKF 1, AID 0x26, SZMIC 1, SeqZero 0x80d.
  const Bytes v_raw = hex("e6a03401c3c51d8e476b28e3aa5001f3");
  auto v = LowerTransportPdu::parse(false, v_raw);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->akf);
  EXPECT_EQ(v->aid, 0x26);
  EXPECT_TRUE(v->szmic);
  EXPECT_EQ(v->seq_zero, 0x080d);
  EXPECT_EQ(v->seg_o, 0);
  EXPECT_EQ(v->seg_n, 1);
  // Message #18: unsegmented access with AKF 1, AID 0x26.
  const Bytes u_raw = hex("665a8bde6d9106ea078a");
  auto u = LowerTransportPdu::parse(false, u_raw);
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->seg);
  EXPECT_TRUE(u->akf);
  EXPECT_EQ(u->aid, 0x26);
  // Message #1: unsegmented control, Friend Request (0x03).
  const Bytes c_raw = hex("034b50057e400000010000");
  auto c = LowerTransportPdu::parse(true, c_raw);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->opcode, 0x03);
  EXPECT_EQ(hexOf(c->payload), "4b50057e400000010000");
}

TEST(BtmeshLowerTransportPdu, SegmentAcknowledgmentOfMessages7And9) {
  for (const auto& [text, block] : std::vector<std::pair<std::string, std::uint32_t>>{
           {"00a6ac00000002", 2}, {"00a6ac00000003", 3}}) {
    const Bytes raw = hex(text);
    auto pdu = LowerTransportPdu::parse(true, raw);
    ASSERT_TRUE(pdu.ok());
    EXPECT_EQ(pdu->opcode, kSegmentAckOpcode);
    auto ack = SegmentAck::parse(pdu->payload);
    ASSERT_TRUE(ack.ok());
    EXPECT_TRUE(ack->obo);
    EXPECT_EQ(ack->seq_zero, 0x09ab);
    EXPECT_EQ(ack->block_ack, block);
    EXPECT_EQ(hexOf(ack->encode()), text.substr(2));
  }
  EXPECT_EQ(SegmentAck::parse(hex("a6ac000000")).error(), Error::kTruncated);
  EXPECT_EQ(SegmentAck::parse(hex("a6ac0000000200")).error(), Error::kTrailing);
}

TEST(BtmeshLowerTransportPdu, RejectsMalformedInput) {
  EXPECT_EQ(LowerTransportPdu::parse(false, {}).error(), Error::kTruncated);
  EXPECT_EQ(LowerTransportPdu::parse(false, hex("6601020304")).error(), Error::kTruncated);
  EXPECT_EQ(LowerTransportPdu::parse(false, hex("66" + std::string(32, '0'))).error(),
            Error::kTooLong);
  EXPECT_EQ(LowerTransportPdu::parse(true, hex("0a" + std::string(24, '0'))).error(),
            Error::kTooLong);
  EXPECT_EQ(LowerTransportPdu::parse(false, hex("8026ac")).error(), Error::kTruncated);
  EXPECT_EQ(LowerTransportPdu::parse(false, hex("8026ac01")).error(), Error::kTruncated);
  EXPECT_EQ(LowerTransportPdu::parse(false, hex("8026ac4101")).error(), Error::kMalformed)
      << "SegO 2 > SegN 1";
  EXPECT_EQ(LowerTransportPdu::parse(true, hex("8026ac0101")).error(), Error::kMalformed)
      << "segmented control with opcode 0";
  EXPECT_EQ(LowerTransportPdu::parse(true, hex("8a26ac01" + std::string(18, '0'))).error(),
            Error::kTooLong)
      << "control segment of 9 octets";
  LowerTransportPdu p;
  p.seg = true;
  p.seg_o = 2;
  p.seg_n = 1;
  const Bytes one{1};
  p.payload = one;
  Bytes out;
  EXPECT_EQ(p.encode(out), Error::kInvalidArgs);
}

TEST(BtmeshLowerTransportPdu, SeqAuthFromSeqZero) {
  // §3.5.3.1 examples.
  EXPECT_EQ(seqFromSeqZero(0x647262, 0x1849), 0x645849u);
  EXPECT_EQ(makeSeqAuth(0x58437AF2, *seqFromSeqZero(0x647262, 0x1849)), 0x58437AF2645849u);
  EXPECT_EQ(seqFromSeqZero(0x647262, 0x1263), 0x645263u);
  EXPECT_EQ(seqFromSeqZero(0x3129ab, 0x09ab), 0x3129abu);
  EXPECT_EQ(seqFromSeqZero(0x3129ad, 0x09ab), 0x3129abu);
  EXPECT_EQ(seqFromSeqZero(5, 10), std::nullopt);
  EXPECT_EQ(seqFromSeqZero(0x2000, 0x0001), 0x0001u);
}

// --- SAR harness ------------------------------------------------------------------------

/// One node: KeyStore, Network, RPL, LowerTransport and a recording upper layer.
struct SarNode final : NetworkUpper, LowerTransportUpper {
  SarNode(test::FakeTimers& clock, Address address, NodeConfig cfg = {},
          test::FakeSettings* settings = nullptr, std::uint32_t seq_start = 0)
      : config(cfg), fp(&clock, settings), bearer(BearerType::kAdvertising, &clock) {
    EXPECT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
    keys.ivIndex().index = test::kSampleIvIndex;
    if (seq_start != 0) {
      std::array<std::uint8_t, 8> stored{0x12, 0x34, 0x56, 0x78};
      stored[4] = static_cast<std::uint8_t>(seq_start >> 24);
      stored[5] = static_cast<std::uint8_t>(seq_start >> 16);
      stored[6] = static_cast<std::uint8_t>(seq_start >> 8);
      stored[7] = static_cast<std::uint8_t>(seq_start);
      EXPECT_EQ(fp.settings().set("btmesh/seq/00", stored), Error::kNone);
    }
    net = std::make_unique<Network>(fp.platform(), config, keys);
    rpl = std::make_unique<ReplayProtectionList>(fp.platform(), config.replay_list_size);
    lower = std::make_unique<LowerTransport>(fp.platform(), config, *net, *rpl);
    net->setUpper(this);
    lower->setUpper(this);
    self = address;
    EXPECT_EQ(net->setElements(address, 1), Error::kNone);
    iface = *net->addInterface(&bearer);
  }
  ~SarNode() override {
    lower.reset();
    net.reset();
  }

  void onNetworkPdu(const NetworkRx& rx) override { lower->onNetworkPdu(rx); }
  bool isOwnUnicast(Address a) const override { return a == self; }
  bool listensTo(Address a) const override {
    return std::find(groups.begin(), groups.end(), a) != groups.end();
  }
  Error onUpperTransportPdu(const TransportRx& rx) override {
    received.push_back(rx);
    received_pdus.emplace_back(rx.upper_pdu.begin(), rx.upper_pdu.end());
    return accept_upper;
  }
  void onSegmentedSendDone(std::uint32_t id, Error result) override {
    done.emplace_back(id, result);
    done_at.push_back(fp.timers().now());
  }

  /// Sends an access Upper Transport PDU of `len` octets (pattern bytes) to `dst`.
  Result<std::uint32_t> sendAccess(Address dst, std::size_t len, std::uint8_t ttl = 4) {
    payload.assign(len, 0);
    for (std::size_t i = 0; i < len; ++i)
      payload[i] = static_cast<std::uint8_t>(i * 7 + 1);
    auto seq = net->allocateSeq(self);
    if (!seq.ok()) return seq.error();
    LowerTransportTx tx;
    tx.src = self;
    tx.dst = dst;
    tx.ttl = ttl;
    tx.akf = true;
    tx.aid = 0x26;
    tx.upper_pdu = payload;
    tx.seq = *seq;
    return lower->send(tx);
  }

  /// Acks this node sent: (time, SegmentAck).
  std::vector<std::pair<LocalTime, SegmentAck>> acksSent() const {
    std::vector<std::pair<LocalTime, SegmentAck>> out;
    const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
    for (const auto& s : bearer.sent) {
      auto opened = openNetworkPdu(m, test::kSampleIvIndex, s.pdu);
      if (!opened.ok() || !opened->header.ctl || opened->transport_pdu.empty() ||
          opened->transport_pdu[0] != 0x00) {
        continue;
      }
      auto ack = SegmentAck::parse(ByteSpan(opened->transport_pdu).subspan(1));
      if (ack.ok()) out.emplace_back(s.time, *ack);
    }
    return out;
  }

  NodeConfig config;
  test::FakePlatform fp;
  KeyStore keys;
  std::unique_ptr<Network> net;
  std::unique_ptr<ReplayProtectionList> rpl;
  std::unique_ptr<LowerTransport> lower;
  test::FakeBearer bearer;
  InterfaceId iface = 0;
  Address self = 0;
  std::vector<Address> groups;
  std::vector<TransportRx> received;
  std::vector<Bytes> received_pdus;
  std::vector<std::pair<std::uint32_t, Error>> done;
  std::vector<LocalTime> done_at;
  Error accept_upper = Error::kNone;
  Bytes payload;
};

/// Connects nodes: every PDU a node's bearer records reaches every other node 1 ms later,
/// unless `drop` says otherwise.
class Wire {
 public:
  explicit Wire(test::FakeTimers& clock) : clock_(clock) {}
  ~Wire() { clock_.stop(timer_); }

  void attach(SarNode& node) {
    nodes_.push_back(&node);
    node.bearer.on_transmit = [this, &node](const test::FakeBearer::Sent& s) {
      ++sent_count;
      for (SarNode* other : nodes_) {
        if (other == &node) continue;
        if (drop && drop(node, *other, s)) {
          ++dropped_count;
          continue;
        }
        queue_.push_back(Pending{clock_.now() + millis(1), other, s.pdu});
      }
      if (!timer_.isRunning()) clock_.startAt(timer_, queue_.front().at);
    };
  }

  std::function<bool(const SarNode& from, const SarNode& to, const test::FakeBearer::Sent&)> drop;
  int sent_count = 0;
  int dropped_count = 0;

 private:
  struct Pending {
    LocalTime at;
    SarNode* to;
    Bytes pdu;
  };
  void deliver() {
    while (!queue_.empty() && queue_.front().at <= clock_.now()) {
      Pending p = queue_.front();
      queue_.pop_front();
      p.to->net->receive(p.to->iface, p.pdu, -50);
    }
    if (!queue_.empty()) clock_.startAt(timer_, queue_.front().at);
  }

  test::FakeTimers& clock_;
  std::vector<SarNode*> nodes_;
  std::deque<Pending> queue_;
  platform::Timer timer_{this, &platform::Timer::thunk<&Wire::deliver>};
};

/// Segment number of a segmented access PDU a node sent (or -1).
int segmentOf(const test::FakeBearer::Sent& s) {
  const SecurityMaterial m = floodingMaterial(test::kSampleNetKey);
  auto opened = openNetworkPdu(m, test::kSampleIvIndex, s.pdu);
  if (!opened.ok() || opened->header.ctl) return -1;
  auto pdu = LowerTransportPdu::parse(false, opened->transport_pdu);
  if (!pdu.ok() || !pdu->seg) return -1;
  return pdu->seg_o;
}

// --- SAR transmitter ---------------------------------------------------------------------

TEST(BtmeshSar, SegmentsOfMessage6AreByteExact) {
  // Node 0x0003 sends Message #6's Upper Transport PDU to 0x1201 with SEQ 0x3129ab.
  test::FakeTimers clock;
  SarNode a(clock, 0x0003, {}, nullptr, 0x3129ab);
  auto seq = a.net->allocateSeq(0x0003);
  ASSERT_TRUE(seq.ok());
  ASSERT_EQ(seq->seq, 0x3129abu);
  const Bytes upper = hex("ee9dddfd2169326d23f3afdfcfdc18c52fdef772e0e17308");
  LowerTransportTx tx;
  tx.src = 0x0003;
  tx.dst = 0x1201;
  tx.ttl = 4;
  tx.upper_pdu = upper;
  tx.seq = *seq;
  auto id = a.lower->send(tx);
  ASSERT_TRUE(id.ok());
  EXPECT_NE(*id, 0u);
  ASSERT_EQ(a.bearer.sent.size(), 1u);
  EXPECT_EQ(hexOf(a.bearer.sent[0].pdu),
            "68cab5c5348a230afba8c63d4e686364979deaf4fd40961145939cda0e");
  clock.advance(a.config.sar_tx.segmentInterval() - nanos(1));
  EXPECT_EQ(a.bearer.sent.size(), 1u) << "segments are a segment interval apart";
  clock.advance(nanos(1));
  ASSERT_EQ(a.bearer.sent.size(), 2u);
  EXPECT_EQ(hexOf(a.bearer.sent[1].pdu),
            "681615b5dd4a846cae0c032bf0746f44f1b8cc8ce5edc57e55beed49c0");
}

TEST(BtmeshSar, UnicastTransferCompletesWithoutLoss) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  auto id = a.sendAccess(0x1201, 100);  // 9 segments
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(30));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0], std::make_pair(*id, Error::kNone));
  ASSERT_EQ(b.received_pdus.size(), 1u);
  EXPECT_EQ(b.received_pdus[0], a.payload);
  EXPECT_TRUE(b.received[0].segmented);
  EXPECT_TRUE(b.received[0].akf);
  EXPECT_EQ(b.received[0].aid, 0x26);
  EXPECT_EQ(b.acksSent().size(), 1u) << "the last segment is acknowledged at once";
  EXPECT_EQ(a.lower->stats().tx_segments, 9u);
  EXPECT_EQ(a.lower->stats().tx_segment_retransmissions, 0u);
  EXPECT_EQ(a.lower->activeTransfers(), 0u);
}

TEST(BtmeshSar, LossesWithinLimitsAreRepaired) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  std::set<int> lost_once = {3, 5};
  wire.drop = [&](const SarNode& from, const SarNode&, const test::FakeBearer::Sent& s) {
    if (&from != &a) return false;
    const int seg = segmentOf(s);
    return lost_once.erase(seg) > 0;
  };
  auto id = a.sendAccess(0x1201, 100);
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(30));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0].second, Error::kNone);
  ASSERT_EQ(b.received_pdus.size(), 1u);
  EXPECT_EQ(b.received_pdus[0], a.payload);
  EXPECT_EQ(a.lower->stats().tx_segment_retransmissions, 2u) << "only the lost segments";
  const auto acks = b.acksSent();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].second.block_ack, 0x1FFu & ~((1u << 3) | (1u << 5)));
  EXPECT_EQ(acks[1].second.block_ack, 0x1FFu);
}

TEST(BtmeshSar, FailsWithTimeoutWhenRetransmissionsRunOut) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  wire.drop = [&](const SarNode& from, const SarNode&, const test::FakeBearer::Sent&) {
    return &from == &a;  // nothing gets through
  };
  const LocalTime start = clock.now();
  auto id = a.sendAccess(0x1201, 30, /*ttl=*/4);  // 3 segments
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(60));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0], std::make_pair(*id, Error::kTimeout));
  // One round plus unicast_retrans_count (2) retransmission rounds of 3 segments.
  EXPECT_EQ(a.lower->stats().tx_segments, 9u);
  // Each round: 2 segment intervals, then the retransmission timer 200 + 50 * (4 - 1) ms.
  const Duration round =
      a.config.sar_tx.segmentInterval() * 2 + a.config.sar_tx.unicastRetransInterval(4);
  EXPECT_EQ(a.done_at[0] - start, round * 3);
  EXPECT_EQ(a.config.sar_tx.unicastRetransInterval(4), millis(350));
  EXPECT_TRUE(b.received.empty());
}

TEST(BtmeshSar, FailsWhenRetransmissionsMakeNoProgress) {
  test::FakeTimers clock;
  NodeConfig cfg;
  cfg.sar_tx.unicast_retrans_count = 8;
  cfg.sar_tx.unicast_retrans_without_progress = 1;
  SarNode a(clock, 0x0003, cfg);
  SarNode b(clock, 0x1201);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  wire.drop = [&](const SarNode& from, const SarNode&, const test::FakeBearer::Sent& s) {
    return &from == &a && segmentOf(s) >= 4;  // segments 4.. never arrive
  };
  auto id = a.sendAccess(0x1201, 100);  // 9 segments
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(60));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0].second, Error::kTimeout);
  // Round 1: 9 segments; the ack of 0..3 arrives while the round is still running (it
  // resets without-progress but triggers nothing). The retransmission timer then expires:
  // without-progress 1 -> 0, segments 4..8 resent; the next expiry cancels, although 7
  // retransmissions were left.
  EXPECT_EQ(a.lower->stats().tx_segments, 9u + 5u);
  EXPECT_TRUE(b.received.empty());
}

TEST(BtmeshSar, MulticastSendsEveryRoundAndCompletes) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201);
  b.groups = {0xC001};
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  const LocalTime start = clock.now();
  auto id = a.sendAccess(0xC001, 40);  // 4 segments
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(30));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0].second, Error::kNone);
  EXPECT_EQ(a.lower->stats().tx_segments, 4u * 3u) << "1 + multicast_retrans_count rounds";
  const Duration round =
      a.config.sar_tx.segmentInterval() * 3 + a.config.sar_tx.multicastRetransInterval();
  EXPECT_EQ(a.done_at[0] - start, round * 3);
  ASSERT_EQ(b.received_pdus.size(), 1u) << "delivered once";
  EXPECT_EQ(b.received_pdus[0], a.payload);
  EXPECT_TRUE(b.acksSent().empty()) << "no acknowledgments for a group";
}

TEST(BtmeshSar, OneTransferPerDestinationAtATime) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  auto first = a.sendAccess(0x1201, 30);
  const Bytes first_payload = a.payload;
  auto second = a.sendAccess(0x1201, 20);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(a.lower->activeTransfers(), 2u);
  auto third = a.sendAccess(0x1202, 20);
  EXPECT_EQ(third.error(), Error::kNoBufs) << "both contexts in use";
  clock.runAll(seconds(30));
  ASSERT_EQ(a.done.size(), 2u);
  EXPECT_EQ(a.done[0], std::make_pair(*first, Error::kNone));
  EXPECT_EQ(a.done[1], std::make_pair(*second, Error::kNone));
  ASSERT_EQ(b.received_pdus.size(), 2u);
  EXPECT_EQ(b.received_pdus[0], first_payload);
  EXPECT_EQ(b.received_pdus[1], a.payload);
}

TEST(BtmeshSar, SendChecksSizes) {
  test::FakeTimers clock;
  SarNode a(clock, 0x0003);
  EXPECT_EQ(a.sendAccess(0x1201, 385).error(), Error::kTooLong);
  EXPECT_EQ(a.sendAccess(0x1201, 4).error(), Error::kInvalidArgs);
  auto unseg = a.sendAccess(0x1201, 15);
  ASSERT_TRUE(unseg.ok());
  EXPECT_EQ(*unseg, 0u) << "fits unsegmented";
  EXPECT_EQ(a.lower->stats().tx_unsegmented, 1u);
  EXPECT_TRUE(a.sendAccess(0x1201, 384).ok());
}

// --- SAR receiver ------------------------------------------------------------------------

// Message #6 as received by 0x1201: two segments, SeqAuth 0x12345678/0x3129ab; Message #8
// retransmits segment 0 with SEQ 0x3129ad.
const char* const kMsg6Seg0 = "68cab5c5348a230afba8c63d4e686364979deaf4fd40961145939cda0e";
const char* const kMsg6Seg1 = "681615b5dd4a846cae0c032bf0746f44f1b8cc8ce5edc57e55beed49c0";
const char* const kMsg8 = "684daa6267c2cf0e2f91add6f06e66006844cec97f973105ae2534f958";

Bytes sealSegment(std::uint32_t seq, const char* lower_pdu, std::uint8_t ttl = 4,
                  Address src = 0x0003, Address dst = 0x1201) {
  return *sealNetworkPdu(floodingMaterial(test::kSampleNetKey), test::kSampleIvIndex,
                         NetworkHeader{false, ttl, seq, src, dst}, hex(lower_pdu));
}

TEST(BtmeshSar, AckTimingFollowsTheAcknowledgmentDelayFormula) {
  test::FakeTimers clock;
  SarNode b(clock, 0x1201);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  // SegN 1: min(1 + 0.5, 2.5) * 60 ms = 90 ms.
  EXPECT_EQ(b.config.sar_rx.ackTimer(1), millis(90));
  clock.advance(millis(90) - nanos(1));
  EXPECT_TRUE(b.acksSent().empty());
  clock.advance(nanos(1));
  auto acks = b.acksSent();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].second.seq_zero, 0x09ab);
  EXPECT_EQ(acks[0].second.block_ack, 0x1u);
  EXPECT_FALSE(acks[0].second.obo);
  // SegN 4 and more: capped at the delay increment, 2.5 * 60 ms.
  EXPECT_EQ(b.config.sar_rx.ackTimer(4), millis(150));
  EXPECT_EQ(b.config.sar_rx.ackTimer(31), millis(150));
  EXPECT_EQ(b.config.sar_rx.ackTimer(0), millis(30));

  b.net->receive(b.iface, hex(kMsg6Seg1), -40);  // last segment: ack at once, delivered
  acks = b.acksSent();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1].first, clock.now());
  EXPECT_EQ(acks[1].second.block_ack, 0x3u);
  ASSERT_EQ(b.received_pdus.size(), 1u);
  EXPECT_EQ(hexOf(b.received_pdus[0]), "ee9dddfd2169326d23f3afdfcfdc18c52fdef772e0e17308");
  EXPECT_EQ(b.received[0].seq, 0x3129abu) << "the nonce uses SeqAuth";
  EXPECT_EQ(b.received[0].iv_index, test::kSampleIvIndex);
  EXPECT_FALSE(b.received[0].akf);

  // Message #8 (segment 0 again, new SEQ) within the interval: no second ack.
  b.net->receive(b.iface, hex(kMsg8), -40);
  EXPECT_EQ(b.acksSent().size(), 2u);
  clock.advance(b.config.sar_rx.completedAckInterval());
  b.net->receive(b.iface, sealSegment(0x3129ae, "8026ac21cfdc18c52fdef772e0e17308"), -40);
  acks = b.acksSent();
  ASSERT_EQ(acks.size(), 3u) << "Most Recent SeqAuth: acknowledged again";
  EXPECT_EQ(acks[2].second.block_ack, 0x3u);
  EXPECT_EQ(b.received_pdus.size(), 1u) << "never delivered twice";
}

TEST(BtmeshSar, RepeatedSegmentsAreIgnored) {
  test::FakeTimers clock;
  SarNode b(clock, 0x1201);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  b.net->receive(b.iface, hex(kMsg8), -40);  // segment 0 again with a new SEQ
  EXPECT_EQ(b.lower->stats().rx_ignored_segments, 1u);
  b.net->receive(b.iface, hex(kMsg6Seg1), -40);
  EXPECT_EQ(b.received_pdus.size(), 1u);
}

TEST(BtmeshSar, AckRetransmissionsForLongMessages) {
  test::FakeTimers clock;
  NodeConfig cfg;
  cfg.sar_rx.ack_retrans_count = 2;
  cfg.sar_rx.segments_threshold = 1;  // two segments exceed it
  SarNode b(clock, 0x1201, cfg);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  b.net->receive(b.iface, hex(kMsg6Seg1), -40);
  clock.runAll(seconds(1));
  const auto acks = b.acksSent();
  ASSERT_EQ(acks.size(), 3u) << "the ack and 2 retransmissions";
  EXPECT_EQ(acks[1].first - acks[0].first, cfg.sar_rx.segmentReceptionInterval());
  EXPECT_EQ(acks[2].first - acks[1].first, cfg.sar_rx.segmentReceptionInterval());
}

TEST(BtmeshSar, DiscardTimerFailsTheReassembly) {
  test::FakeTimers clock;
  SarNode b(clock, 0x1201);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  clock.advance(b.config.sar_rx.discardTimeout());
  EXPECT_EQ(b.lower->stats().rx_discarded, 1u);
  b.net->receive(b.iface, hex(kMsg6Seg1), -40);  // Late Segment
  EXPECT_TRUE(b.received.empty());
  EXPECT_EQ(b.lower->stats().rx_ignored_segments, 1u);
}

TEST(BtmeshSar, RejectsWhenOutOfReassemblyContexts) {
  test::FakeTimers clock;
  NodeConfig cfg;
  cfg.rx_seg_msg_count = 1;
  SarNode b(clock, 0x1201, cfg);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  // Another source starts a segmented message: Message Rejected, BlockAck 0.
  b.net->receive(b.iface,
                 sealSegment(0x000100,
                             "80040001"
                             "00112233445566778899aabb",
                             4, 0x0004),
                 -40);
  EXPECT_EQ(b.lower->stats().rx_rejected, 1u);
  const auto acks = b.acksSent();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].second.block_ack, 0u);
  EXPECT_EQ(acks[0].second.seq_zero, 0x0100);
}

TEST(BtmeshSar, ReceiverRejectionCancelsTheTransfer) {
  test::FakeTimers clock;
  NodeConfig small;
  small.rx_seg_max = 2;
  SarNode a(clock, 0x0003);
  SarNode b(clock, 0x1201, small);
  Wire wire(clock);
  wire.attach(a);
  wire.attach(b);
  auto id = a.sendAccess(0x1201, 50);  // 5 segments > rx_seg_max
  ASSERT_TRUE(id.ok());
  clock.runAll(seconds(30));
  ASSERT_EQ(a.done.size(), 1u);
  EXPECT_EQ(a.done[0].second, Error::kNoBufs);
  EXPECT_LT(a.lower->stats().tx_segments, 5u * 3u);
}

// --- replay protection -------------------------------------------------------------------

TEST(BtmeshReplay, OldSeqAndSeqAuthAreRejected) {
  test::FakeTimers clock;
  SarNode b(clock, 0x1201);
  b.net->receive(b.iface, hex(kMsg6Seg0), -40);
  b.net->receive(b.iface, hex(kMsg6Seg1), -40);
  ASSERT_EQ(b.received.size(), 1u);
  const ReplayEntry* e = b.rpl->find(0x0003);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->seq, 0x3129acu);
  EXPECT_EQ(e->seq_auth, makeSeqAuth(test::kSampleIvIndex, 0x3129ab));
  // An unsegmented message with an older SEQ is a replay (network cache is no help here:
  // the PDU is new to it).
  b.net->receive(b.iface,
                 sealSegment(0x3129aa,
                             "66"
                             "0011223344556677"),
                 -40);
  EXPECT_EQ(b.lower->stats().rx_replay, 1u);
  b.net->receive(b.iface,
                 sealSegment(0x3129b0,
                             "66"
                             "0011223344556677"),
                 -40);
  EXPECT_EQ(b.received.size(), 2u);
  // A segment of an older SeqAuth with a fresh SEQ is a repeated message.
  b.net->receive(b.iface, sealSegment(0x3129c0, "8026ac21cfdc18c52fdef772e0e17308"), -40);
  EXPECT_EQ(b.received.size(), 2u);
}

TEST(BtmeshReplay, UnauthenticatedMessagesDoNotUpdateTheList) {
  test::FakeTimers clock;
  SarNode b(clock, 0x1201);
  b.accept_upper = Error::kAuthFailed;
  b.net->receive(b.iface,
                 sealSegment(0x000010,
                             "66"
                             "0011223344556677"),
                 -40);
  EXPECT_EQ(b.rpl->find(0x0003), nullptr);
  b.accept_upper = Error::kNone;
  b.net->receive(b.iface,
                 sealSegment(0x000009,
                             "66"
                             "0011223344556677"),
                 -40);
  EXPECT_NE(b.rpl->find(0x0003), nullptr);
}

TEST(BtmeshReplay, FullListDropsNewSources) {
  test::FakeTimers clock;
  NodeConfig cfg;
  cfg.replay_list_size = 2;
  SarNode b(clock, 0x1201, cfg);
  for (Address src : std::vector<Address>{0x0003, 0x0004, 0x0005}) {
    b.net->receive(b.iface,
                   sealSegment(0x10,
                               "66"
                               "0011223344556677",
                               4, src),
                   -40);
  }
  EXPECT_EQ(b.received.size(), 2u);
  EXPECT_EQ(b.lower->stats().rx_rpl_full, 1u);
  EXPECT_EQ(b.fp.trace().count("btmesh.lower", platform::TraceKind::kDrop, "rpl_full"), 1);
  // Known sources keep working.
  b.net->receive(b.iface,
                 sealSegment(0x11,
                             "66"
                             "0011223344556677",
                             4, 0x0003),
                 -40);
  EXPECT_EQ(b.received.size(), 3u);
}

TEST(BtmeshReplay, ListSurvivesAReboot) {
  test::FakeTimers clock;
  test::FakeSettings settings;
  const Bytes pdu = sealSegment(0x20,
                                "66"
                                "0011223344556677");
  {
    SarNode b(clock, 0x1201, {}, &settings);
    b.net->receive(b.iface, pdu, -40);
    ASSERT_EQ(b.received.size(), 1u);
  }
  SarNode rebooted(clock, 0x1201, {}, &settings);
  rebooted.net->receive(rebooted.iface, pdu, -40);  // new network cache, old RPL
  EXPECT_TRUE(rebooted.received.empty());
  EXPECT_EQ(rebooted.lower->stats().rx_replay, 1u);
  ASSERT_NE(rebooted.rpl->find(0x0003), nullptr);
  EXPECT_EQ(rebooted.rpl->find(0x0003)->seq, 0x20u);
}

TEST(BtmeshReplay, IvIndexOrdersBeforeSeq) {
  test::FakePlatform fp;
  ReplayProtectionList rpl(fp.platform(), 4);
  ASSERT_EQ(rpl.accept(0x0010, 5, 1000), Error::kNone);
  EXPECT_EQ(rpl.check(0x0010, 5, 1000), ReplayProtectionList::Verdict::kReplay);
  EXPECT_EQ(rpl.check(0x0010, 5, 1001), ReplayProtectionList::Verdict::kAccept);
  EXPECT_EQ(rpl.check(0x0010, 4, 5000), ReplayProtectionList::Verdict::kReplay);
  EXPECT_EQ(rpl.check(0x0010, 6, 0), ReplayProtectionList::Verdict::kAccept);
  ASSERT_EQ(rpl.accept(0x0010, 6, 0), Error::kNone);
  ASSERT_EQ(rpl.accept(0x0011, 4, 7), Error::kNone);
  rpl.onIvIndexChanged(6);
  EXPECT_EQ(rpl.find(0x0011), nullptr) << "older than current - 1";
  EXPECT_NE(rpl.find(0x0010), nullptr);
  rpl.clear();
  EXPECT_EQ(rpl.size(), 0u);
}

}  // namespace
}  // namespace lpm::btmesh
