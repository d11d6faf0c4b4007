// Wireshark as an independent reader of our RPL messages: DIO, DIS, DAO and DAO-ACK
// built with lpmesh/rpl, sent in IPHC-compressed IEEE 802.15.4 frames with a valid FCS,
// must decode to the fields we set, with a good ICMPv6 checksum and no expert errors.
#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/rpl/messages.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"
#include "tests/sixlowpan/helpers.hpp"

namespace lpm::rpl {
namespace {

using sixlowpan::LinkAddress;

ipv6::Address A(const char* s) {
  return ipv6::Address::literal(s);
}

const LinkAddress kRoot =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
const LinkAddress kNode =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78});
const LinkAddress kBroadcast = LinkAddress::fromShort(0xffff, 0xabcd);

struct Case {
  Bytes frame;
  std::vector<std::pair<std::string, std::string>> fields;  // tshark field -> value
};

Case frameFor(const Message& m, const LinkAddress& l2s, const LinkAddress& l2d,
              const ipv6::Address& src, const ipv6::Address& dst,
              std::vector<std::pair<std::string, std::string>> fields) {
  sixlowpan::ContextTable ctx;
  (void)ctx.set(0, *ipv6::Prefix::parse("fd00::/64"));
  auto icmp = buildIcmpv6Message(src, dst, m);
  ipv6::Header h;
  h.src = src;
  h.dst = dst;
  h.next_header = 58;
  h.hop_limit = 64;
  auto dg = h.build(*icmp);
  auto c = sixlowpan::compress(*dg, l2s, l2d, ctx);
  fields.emplace_back("ipv6.src", src.toString());
  fields.emplace_back("ipv6.dst", dst.toString());
  fields.emplace_back("icmpv6.checksum.status", "1");
  return Case{test::macDataFrame(l2s, l2d, 1, *c), std::move(fields)};
}

TEST(RplTshark, MessagesDecodeToWhatWeBuilt) {
  if (!test::haveTshark()) GTEST_SKIP() << "tshark not installed";
  const auto root_ll = ipv6::linkLocalFromEui64(kRoot.extended);
  const auto node_ll = ipv6::linkLocalFromEui64(kNode.extended);
  const auto root_g = A("fd00::211:2233:4455:6677");
  const auto node_g = A("fd00::211:2233:4455:6678");
  std::vector<Case> cases;

  Dio dio;
  dio.instance_id = 0x1e;
  dio.version = 3;
  dio.rank = 256;
  dio.grounded = true;
  dio.mop = Mop::kStoringNoMulticast;
  dio.dtsn = 9;
  dio.dodag_id = root_g;
  DodagConfiguration cfg;
  cfg.max_rank_increase = 768;
  cfg.default_lifetime = 30;
  cfg.lifetime_unit = 60;
  dio.options.add(cfg);
  dio.options.add(PrefixInformation{64, false, true, false, 0xffffffff, 0xffffffff, A("fd00::")});
  cases.push_back(frameFor(dio, kRoot, kBroadcast, root_ll, ipv6::kAllRplNodes,
                           {{"icmpv6.rpl.dio.instance", "30"},
                            {"icmpv6.rpl.dio.rank", "256"},
                            {"icmpv6.rpl.dio.flag.mop", "0x02"},
                            {"icmpv6.rpl.dio.dtsn", "9"},
                            {"icmpv6.rpl.dio.dagid", root_g.toString()},
                            {"icmpv6.rpl.opt.config.max_rank_inc", "768"},
                            {"icmpv6.rpl.opt.config.lifetime_unit", "60"},
                            {"icmpv6.rpl.opt.prefix", "fd00::"}}));

  Dis dis;
  dis.options.add(SolicitedInformation{0x1e, false, true, false, root_g, 3});
  cases.push_back(frameFor(dis, kNode, kBroadcast, node_ll, ipv6::kAllRplNodes,
                           {{"icmpv6.rpl.opt.solicited.instance", "30"},
                            {"icmpv6.rpl.opt.solicited.dodagid", root_g.toString()}}));

  Dao dao;
  dao.instance_id = 0x1e;
  dao.ack_requested = true;
  dao.sequence = 42;
  dao.dodag_id = root_g;
  dao.options.add(Target{0, 128, node_g});
  dao.options.add(Target{0, 64, A("fd00:1::")});
  dao.options.add(TransitInformation{false, 0, 1, 30, root_g});
  cases.push_back(frameFor(dao, kNode, kRoot, node_g, root_g,
                           {{"icmpv6.rpl.dao.sequence", "42"},
                            {"icmpv6.rpl.dao.flag.k", "1"},
                            {"icmpv6.rpl.opt.target.prefix", node_g.toString() + ",fd00:1::"},
                            {"icmpv6.rpl.opt.transit.parent", root_g.toString()},
                            {"icmpv6.rpl.opt.transit.pathlifetime", "30"}}));

  DaoAck ack;
  ack.instance_id = 0x1e;
  ack.sequence = 42;
  ack.status = 0;
  ack.dodag_id = root_g;
  cases.push_back(frameFor(ack, kRoot, kNode, root_g, node_g,
                           {{"icmpv6.rpl.daoack.sequence", "42"},
                            {"icmpv6.rpl.daoack.status", "0"},
                            {"icmpv6.rpl.daoack.dodagid", root_g.toString()}}));

  Dio storing;  // Route Information in a DIO, no configuration
  storing.rank = 768;
  storing.dodag_id = root_g;
  storing.options.add(RouteInformation{48, 1, 600, A("2001:db8:aa::")});
  cases.push_back(frameFor(
      storing, kNode, kBroadcast, node_ll, ipv6::kAllRplNodes,
      {{"icmpv6.rpl.opt.route.prefix_length", "48"}, {"icmpv6.rpl.opt.route.lifetime", "600"}}));

  std::vector<Bytes> frames;
  std::vector<std::string> fields = {"wpan.fcs_ok", "_ws.malformed", "_ws.expert.message"};
  for (const auto& c : cases) {
    ASSERT_LE(c.frame.size(), 127U);
    frames.push_back(c.frame);
    for (const auto& f : c.fields) {
      if (std::find(fields.begin(), fields.end(), f.first) == fields.end()) {
        fields.push_back(f.first);
      }
    }
  }
  const std::string path = ::testing::TempDir() + "lpm_rpl_messages.pcap";
  test::writePcap(path, 195, frames);
  const auto rows = test::runTshark(
      path, "-o 6lowpan.rfc4944_short_address_format:FALSE -o 6lowpan.context0:fd00::/64", fields);
  ASSERT_EQ(rows.size(), cases.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1) + " " + toHex(frames[i]));
    EXPECT_EQ(rows[i][0], "1");
    EXPECT_EQ(rows[i][1], "");
    EXPECT_EQ(rows[i][2], "");
    for (const auto& f : cases[i].fields) {
      const auto idx = static_cast<std::size_t>(std::find(fields.begin(), fields.end(), f.first) -
                                                fields.begin());
      EXPECT_EQ(rows[i][idx], f.second) << f.first;
    }
  }
}

}  // namespace
}  // namespace lpm::rpl
