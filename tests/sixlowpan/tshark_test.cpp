// Wireshark as an independent reader: frames built with our IPv6, ND, IPHC/NHC,
// fragmentation, mesh-header and RFC 8138 encoders, wrapped in IEEE 802.15.4 data
// frames with a correct FCS (LINKTYPE_IEEE802_15_4_WITHFCS), must decode in tshark to
// the fields we put in, without malformed-packet or expert errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/ipv6/nd.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/fragment.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"
#include "lpmesh/sixlowpan/lorh.hpp"
#include "lpmesh/sixlowpan/mesh.hpp"
#include "tests/sixlowpan/helpers.hpp"

namespace lpm::sixlowpan {
namespace {

using test::addr;

constexpr std::uint32_t kLinktypeWithFcs = 195;
const std::string kPrefs =
    "-o 6lowpan.rfc4944_short_address_format:FALSE -o 6lowpan.context0:fd00::/64"
    " -o 6lowpan.context1:2001:db8:1:2::/64 -o udp.check_checksum:TRUE";

const LinkAddress kExtA =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78});
const LinkAddress kExtB =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
const LinkAddress kShort1 = LinkAddress::fromShort(0x0001, 0xabcd);
const LinkAddress kShort2 = LinkAddress::fromShort(0x0002, 0xabcd);
const LinkAddress kBroadcast = LinkAddress::fromShort(0xffff, 0xabcd);

ContextTable contexts() {
  ContextTable t;
  (void)t.set(0, *ipv6::Prefix::parse("fd00::/64"));
  (void)t.set(1, *ipv6::Prefix::parse("2001:db8:1:2::/64"));
  return t;
}

/// What one frame should decode to (empty = not checked).
struct Expect {
  std::string src, dst, sport, dport, extra_field, extra_value;
};

struct Built {
  std::vector<Bytes> frames;
  std::vector<Expect> expect;
};

Bytes datagram(const ipv6::Address& src, const ipv6::Address& dst, std::uint8_t nh,
               ByteSpan payload, std::uint8_t hop_limit = 64) {
  ipv6::Header h;
  h.src = src;
  h.dst = dst;
  h.next_header = nh;
  h.hop_limit = hop_limit;
  return *h.build(payload);
}

void addFrame(Built& b, const LinkAddress& l2s, const LinkAddress& l2d, ByteSpan lowpan, Expect e) {
  b.frames.push_back(
      test::macDataFrame(l2s, l2d, static_cast<std::uint8_t>(b.frames.size()), lowpan));
  ASSERT_LE(b.frames.back().size(), 127U);
  b.expect.push_back(std::move(e));
}

void addCompressed(Built& b, const LinkAddress& l2s, const LinkAddress& l2d, const Bytes& dg,
                   Expect e) {
  auto c = compress(dg, l2s, l2d, contexts());
  ASSERT_TRUE(c.ok());
  addFrame(b, l2s, l2d, *c, std::move(e));
}

Built buildPage0Frames() {
  Built b;
  const ContextTable ctx = contexts();
  const auto lla = ipv6::linkLocal(*kExtA.iid());
  const auto llb = ipv6::linkLocal(*kExtB.iid());
  {  // ICMPv6 echo, both addresses from the extended L2 addresses.
    ipv6::Echo echo{0x1234, 1, {}};
    const Bytes data = {1, 2, 3, 4};
    echo.data = data;
    auto msg = *ipv6::buildEcho(lla, llb, false, echo);
    addCompressed(b, kExtA, kExtB, datagram(lla, llb, ipv6::proto::kIcmpv6, msg),
                  {lla.toString(), llb.toString(), "", "", "icmpv6.checksum.status", "1"});
  }
  {  // Short addresses, 4-bit UDP ports.
    const auto s = ipv6::linkLocalFromShort(1);
    const auto d = ipv6::linkLocalFromShort(2);
    auto udp = *ipv6::buildUdp(s, d, 0xf0b1, 0xf0b2, Bytes{'h', 'i'});
    addCompressed(b, kShort1, kShort2, datagram(s, d, ipv6::proto::kUdp, udp),
                  {s.toString(), d.toString(), "61617", "61618", "udp.checksum.status", "1"});
  }
  {  // Context 0 global addresses, inline ports, hop limit inline.
    const auto s = addr("fd00::211:2233:4455:6678");
    const auto d = addr("fd00::211:2233:4455:6677");
    auto udp = *ipv6::buildUdp(s, d, 5683, 5683, Bytes{0x40, 0x01, 0x12, 0x34});
    addCompressed(b, kExtA, kExtB, datagram(s, d, ipv6::proto::kUdp, udp, 17),
                  {s.toString(), d.toString(), "5683", "5683", "ipv6.hlim", "17"});
  }
  {  // Context 1 with a CID byte: 16-bit source, 64-bit destination.
    const auto s = addr("2001:db8:1:2::ff:fe00:1");
    const auto d = addr("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
    auto udp = *ipv6::buildUdp(s, d, 1000, 0xf005, Bytes{7});
    addCompressed(b, kExtA, kExtB, datagram(s, d, ipv6::proto::kUdp, udp),
                  {s.toString(), d.toString(), "1000", "61445", "udp.checksum.status", "1"});
  }
  {  // Multicast ff02::1a (8-bit form) and ff05::fb (32-bit), traffic class + flow label.
    auto udp = *ipv6::buildUdp(lla, ipv6::kAllRplNodes, 0xf0b5, 0xf0b6, Bytes{1});
    addCompressed(b, kExtA, kBroadcast, datagram(lla, ipv6::kAllRplNodes, ipv6::proto::kUdp, udp),
                  {lla.toString(), "ff02::1a", "61621", "61622", "udp.checksum.status", "1"});
    const auto mdns = addr("ff05::fb");
    ipv6::Header h;
    h.src = lla;
    h.dst = mdns;
    h.next_header = ipv6::proto::kUdp;
    h.traffic_class = 0xb9;
    h.flow_label = 0x12345;
    auto udp2 = *ipv6::buildUdp(lla, mdns, 0xf0b7, 1234, Bytes{0, 0});
    addCompressed(b, kExtA, kBroadcast, *h.build(udp2),
                  {lla.toString(), "ff05::fb", "61623", "1234", "ipv6.flow", "0x012345"});
  }
  {  // Hop-by-hop RPL option (NHC EID 0) then UDP.
    const auto s = addr("fd00::211:2233:4455:6678");
    const auto d = addr("fd00::1");
    ipv6::RplOption rpi;
    rpi.instance_id = 0x1e;
    rpi.sender_rank = 768;
    Bytes payload = *rpi.buildHopByHop(ipv6::proto::kUdp);
    auto udp = *ipv6::buildUdp(s, d, 0xf0b1, 0xf0b2, Bytes{9, 9, 9});
    payload.insert(payload.end(), udp.begin(), udp.end());
    addCompressed(
        b, kExtA, kExtB, datagram(s, d, ipv6::proto::kHopByHop, payload),
        {s.toString(), d.toString(), "61617", "61618", "ipv6.opt.rpl.sender_rank", "0x0300"});
  }
  {  // RPL source routing header (NHC EID 1) then UDP, as a non-storing root sends it.
    const auto s = addr("fd00::1");
    const auto d = addr("fd00::211:2233:4455:6677");
    auto srh = *ipv6::SourceRoutingHeader::make(
        ipv6::proto::kUdp, {addr("fd00::211:2233:4455:6600"), addr("fd00::211:2233:4455:6601")}, d);
    Bytes payload;
    VectorWriter w(payload);
    (void)srh.encode(w, d);
    const auto final_dst = srh.addresses.back();
    auto udp = *ipv6::buildUdp(s, final_dst, 0xf0b1, 0xf0b2, Bytes{1});
    payload.insert(payload.end(), udp.begin(), udp.end());
    addCompressed(b, kExtB, kExtA, datagram(s, d, ipv6::proto::kRouting, payload),
                  {s.toString(), d.toString(), "61617", "61618", "ipv6.routing.rpl.cmprI", "15"});
  }
  {  // IPv6-in-IPv6 (NHC EID 7); the inner addresses derive from the outer header.
    const auto root = addr("fd00::1");
    const auto node = addr("fd00::211:2233:4455:6677");
    auto udp = *ipv6::buildUdp(root, node, 0xf0b1, 0xf0b2, Bytes{5, 5});
    auto inner = datagram(root, node, ipv6::proto::kUdp, udp);
    auto outer = *ipv6::encapsulate(root, node, 64, inner);
    addCompressed(b, kExtB, kExtA, outer,
                  {root.toString() + "," + root.toString(), node.toString() + "," + node.toString(),
                   "61617", "61618", "udp.checksum.status", "1"});
  }
  {  // Address registration: NS with EARO and SLLAO, from a host to its router.
    ipv6::NeighborSolicitation ns;
    ns.target = addr("fd00::211:2233:4455:6678");
    ns.options.source_ll = ipv6::LinkLayerAddressOption::fromEui64(kExtA.extended);
    ipv6::AddressRegistrationOption aro;
    aro.t = true;
    aro.tid = 7;
    aro.lifetime = 30;
    aro.rovr_size = 8;
    std::copy(kExtA.extended.begin(), kExtA.extended.end(), aro.rovr.begin());
    ns.options.aro = aro;
    Bytes body;
    VectorWriter w(body);
    (void)ns.encode(w);
    auto msg = *ipv6::buildIcmpv6(lla, llb, ipv6::icmp::kNeighborSolicitation, 0, body);
    addCompressed(
        b, kExtA, kExtB, datagram(lla, llb, ipv6::proto::kIcmpv6, msg, 255),
        {lla.toString(), llb.toString(), "", "", "icmpv6.opt.aro.registration_lifetime", "30"});
  }
  {  // NA with the ARO status; RA with PIO, 6CO and ABRO.
    ipv6::NeighborAdvertisement na;
    na.solicited = true;
    na.target = addr("fd00::211:2233:4455:6678");
    ipv6::AddressRegistrationOption aro;
    aro.status = static_cast<std::uint8_t>(ipv6::AroStatus::kDuplicateAddress);
    aro.lifetime = 30;
    std::copy(kExtA.extended.begin(), kExtA.extended.end(), aro.rovr.begin());
    na.options.aro = aro;
    Bytes body;
    VectorWriter w(body);
    (void)na.encode(w);
    auto msg = *ipv6::buildIcmpv6(llb, lla, ipv6::icmp::kNeighborAdvertisement, 0, body);
    addCompressed(b, kExtB, kExtA, datagram(llb, lla, ipv6::proto::kIcmpv6, msg, 255),
                  {llb.toString(), lla.toString(), "", "", "icmpv6.opt.aro.status", "1"});

    ipv6::RouterAdvertisement ra;
    ra.router_lifetime = 1800;
    ipv6::SixLowpanContextOption co;
    co.cid = 1;
    co.context_length = 64;
    co.valid_lifetime = 60;
    co.prefix = addr("2001:db8:1:2::");
    ra.options.contexts.push_back(co);
    ra.options.abro = ipv6::AuthoritativeBorderRouterOption{0x00010002, 60, addr("fd00::1")};
    Bytes rab;
    VectorWriter rw(rab);
    (void)ra.encode(rw);
    auto ram = *ipv6::buildIcmpv6(llb, lla, ipv6::icmp::kRouterAdvertisement, 0, rab);
    addCompressed(b, kExtB, kExtA, datagram(llb, lla, ipv6::proto::kIcmpv6, ram, 255),
                  {llb.toString(), lla.toString(), "", "", "icmpv6.opt.6co.context_prefix",
                   "2001:db8:1:2::"});
  }
  {  // Mesh header (Thread style, short addresses) in front of IPHC.
    MeshHeader mh;
    mh.originator = LinkAddress::fromShort(0x0400);
    mh.final_destination = LinkAddress::fromShort(0x0800);
    mh.hops_left = 3;
    Bytes lowpan;
    VectorWriter w(lowpan);
    (void)mh.encode(w);
    // Under a mesh header the IIDs derive from the mesh originator / final destination.
    auto c = *compress(
        datagram(ipv6::linkLocalFromShort(0x0400), ipv6::linkLocalFromShort(0x0800),
                 ipv6::proto::kUdp,
                 *ipv6::buildUdp(ipv6::linkLocalFromShort(0x0400), ipv6::linkLocalFromShort(0x0800),
                                 19788, 19788, Bytes{0xff, 0x00})),
        mh.originator, mh.final_destination, ctx);
    lowpan.insert(lowpan.end(), c.begin(), c.end());
    addFrame(b, kShort1, kShort2, lowpan,
             {"fe80::ff:fe00:400", "fe80::ff:fe00:800", "19788", "19788", "6lowpan.mesh.orig16",
              "0x0400"});
  }
  {  // A 300-byte datagram in FRAG1 + FRAGN frames; the reassembled UDP decodes.
    const auto s = addr("fd00::211:2233:4455:6678");
    const auto d = addr("fd00::211:2233:4455:6677");
    Bytes payload(252);
    for (std::size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<std::uint8_t>(i * 7);
    auto udp = *ipv6::buildUdp(s, d, 0xf0b1, 0xf0b2, payload);
    const Bytes dg = datagram(s, d, ipv6::proto::kUdp, udp);
    Bytes c;
    auto info = compress(dg, kExtA, kExtB, ctx, c);
    auto frags = *fragment(c, *info, 0x4242, 127 - 23);
    for (std::size_t i = 0; i < frags.size(); ++i) {
      Expect e;
      e.extra_field = "6lowpan.frag.tag";
      e.extra_value = "0x4242";
      if (i + 1 == frags.size()) {
        e.src = s.toString();
        e.dst = d.toString();
        e.sport = "61617";
        e.dport = "61618";
      }
      addFrame(b, kExtA, kExtB, frags[i], e);
    }
  }
  return b;
}

void checkRows(const Built& b, const std::vector<std::vector<std::string>>& rows,
               const std::vector<std::string>& fields) {
  ASSERT_EQ(rows.size(), b.frames.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1) + " " + toHex(b.frames[i]));
    const auto& r = rows[i];
    const auto& e = b.expect[i];
    EXPECT_EQ(r[0], "1") << "FCS";
    if (!e.src.empty()) {
      EXPECT_EQ(r[1], e.src);
    }
    if (!e.dst.empty()) {
      EXPECT_EQ(r[2], e.dst);
    }
    if (!e.sport.empty()) {
      EXPECT_EQ(r[3], e.sport);
      EXPECT_EQ(r[4], e.dport);
      EXPECT_EQ(r[5], "1") << "UDP checksum";
    }
    EXPECT_EQ(r[6], "") << "malformed";
    EXPECT_EQ(r[7], "") << "expert: " << r[7];
    if (!e.extra_field.empty()) {
      const auto it = std::find(fields.begin(), fields.end(), e.extra_field);
      ASSERT_NE(it, fields.end());
      EXPECT_EQ(r[static_cast<std::size_t>(it - fields.begin())], e.extra_value) << e.extra_field;
    }
  }
}

const std::vector<std::string> kBaseFields = {
    "wpan.fcs_ok",         "ipv6.src",      "ipv6.dst",          "udp.srcport", "udp.dstport",
    "udp.checksum.status", "_ws.malformed", "_ws.expert.message"};

TEST(Tshark, Page0FramesDecodeToWhatWeBuilt) {
  if (!test::haveTshark()) GTEST_SKIP() << "tshark not installed";
  const Built b = buildPage0Frames();
  const std::string path = ::testing::TempDir() + "lpm_sixlowpan_page0.pcap";
  test::writePcap(path, kLinktypeWithFcs, b.frames);
  std::vector<std::string> fields = kBaseFields;
  for (const auto& e : b.expect) {
    if (!e.extra_field.empty() &&
        std::find(fields.begin(), fields.end(), e.extra_field) == fields.end()) {
      fields.push_back(e.extra_field);
    }
  }
  const auto rows = test::runTshark(path, kPrefs, fields);
  checkRows(b, rows, fields);
}

TEST(Tshark, Page1SixLoRhFramesDecodeWithDecodeAs) {
  if (!test::haveTshark()) GTEST_SKIP() << "tshark not installed";
  const ContextTable ctx = contexts();
  Built b;
  const auto root = addr("fd00::211:2233:4455:6677");
  const auto node = addr("fd00::211:2233:4455:6678");
  {  // Upward: RPI-6LoRH (instance 0 elided, rank 1280 compressed) + IPHC + UDP.
    auto udp = *ipv6::buildUdp(node, root, 0xf0b1, 0xf0b2, Bytes{'u', 'p'});
    auto inner = *compress(datagram(node, root, ipv6::proto::kUdp, udp), kExtA, kExtB, ctx);
    ipv6::RplOption o;
    o.sender_rank = 1280;
    auto page = *buildPage1({RpiLorh::compact(o)}, inner);
    EXPECT_EQ(toHex(ByteSpan(page).first(4)), "f1830505");
    addFrame(b, kExtA, kExtB, page,
             {node.toString(), root.toString(), "61617", "61618", "6lowpan.sender.rank", "0x05"});
  }
  {  // Downward from the root: SRH-6LoRH with two hops of different sizes, RPI, IP-in-IP.
    const std::vector<ipv6::Address> hops = {
        addr("fd00::211:2233:4455:6600"), addr("fd00::1:2:3:4"), addr("fd00::211:2233:4455:6678")};
    std::vector<Lorh> hs;
    for (auto& s : compressSrh(hops, root))
      hs.emplace_back(std::move(s));
    ipv6::RplOption o;
    o.down = true;
    o.instance_id = 0x1e;
    o.sender_rank = 256;
    RpiLorh rpi = RpiLorh::compact(o);
    hs.emplace_back(rpi);
    hs.emplace_back(IpInIpLorh::compact(64, root, root));
    auto udp = *ipv6::buildUdp(root, node, 0xf0b1, 0xf0b2, Bytes{'d', 'n'});
    auto inner = *compress(datagram(root, node, ipv6::proto::kUdp, udp), kExtB, kExtA, ctx);
    auto page = *buildPage1(hs, inner);
    addFrame(b, kExtB, kExtA, page,
             {root.toString(), node.toString(), "61617", "61618", "6lowpan.rhtype",
              "0x0000,0x0003,0x0005,0x0006"});
  }
  const std::string path = ::testing::TempDir() + "lpm_sixlowpan_page1.pcap";
  test::writePcap(path, kLinktypeWithFcs, b.frames);
  std::vector<std::string> fields = kBaseFields;
  fields.push_back("6lowpan.sender.rank");
  fields.push_back("6lowpan.rhtype");
  fields.push_back("6lowpan.pagenb");
  fields.push_back("6lowpan.6loRH.bitO");
  const auto rows = test::runTshark(path, kPrefs + " -d wpan.panid==0xabcd,6lowpan", fields);
  checkRows(b, rows, fields);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0][10], "0x0001");
  EXPECT_EQ(rows[1][11], "1");
}

}  // namespace
}  // namespace lpm::sixlowpan
