#include "lpmesh/rpl/messages.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::rpl {
namespace {

using test::hexField;

ipv6::Address A(const std::string& s) {
  return ipv6::Address::literal(s);
}

// rpl-messages.json: every body parses to the fields tshark reported, re-encodes to
// the same bytes, and the ICMPv6 message with its checksum matches.
TEST(RplVectors, ParseEncodeAndChecksum) {
  const auto file = test::loadVectorFile("sixtisch/rpl-messages.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const auto& tf = v.at("tshark_fields");
    const Bytes body = hexField(in.at("rpl_body"));
    const auto code = in.at("icmpv6_code").get<std::uint8_t>();
    auto m = parseMessage(code, body);
    ASSERT_TRUE(m.ok()) << errorName(m.error());
    EXPECT_EQ(messageCode(*m), code);
    auto enc = encodeMessage(*m);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(toHex(*enc), toHex(body));
    const auto src = A(in.at("ipv6_src").get<std::string>());
    const auto dst = A(in.at("ipv6_dst").get<std::string>());
    auto icmp = buildIcmpv6Message(src, dst, *m);
    ASSERT_TRUE(icmp.ok());
    EXPECT_EQ(toHex(*icmp), v.at("expected").at("icmpv6_message").get<std::string>());
    EXPECT_TRUE(ipv6::Icmpv6Message::parse(src, dst, *icmp).ok());

    if (const auto* dio = std::get_if<Dio>(&*m)) {
      EXPECT_EQ(dio->instance_id, std::stoi(tf.at("icmpv6.rpl.dio.instance").get<std::string>()));
      EXPECT_EQ(dio->version, std::stoi(tf.at("icmpv6.rpl.dio.version").get<std::string>()));
      EXPECT_EQ(dio->rank, std::stoi(tf.at("icmpv6.rpl.dio.rank").get<std::string>()));
      EXPECT_EQ(static_cast<int>(dio->mop),
                std::stoi(tf.at("icmpv6.rpl.dio.flag.mop").get<std::string>(), nullptr, 16));
      EXPECT_EQ(dio->dtsn, std::stoi(tf.at("icmpv6.rpl.dio.dtsn").get<std::string>()));
      EXPECT_EQ(dio->dodag_id.toString(), tf.at("icmpv6.rpl.dio.dagid").get<std::string>());
      EXPECT_TRUE(dio->grounded);
      const auto* cfg = dio->options.find<DodagConfiguration>();
      ASSERT_NE(cfg, nullptr);
      EXPECT_EQ(cfg->min_hop_rank_increase,
                std::stoi(tf.at("icmpv6.rpl.opt.config.min_hop_rank_inc").get<std::string>()));
      // The description: RFC 6550 defaults, MaxRankIncrease 1792, OCP 0.
      EXPECT_EQ(cfg->dio_interval_min, kDefaultDioIntervalMin);
      EXPECT_EQ(cfg->dio_interval_doublings, kDefaultDioIntervalDoublings);
      EXPECT_EQ(cfg->dio_redundancy_constant, kDefaultDioRedundancyConstant);
      EXPECT_EQ(cfg->max_rank_increase, 1792);
      EXPECT_EQ(cfg->ocp, 0);
      const auto* pio = dio->options.find<PrefixInformation>();
      ASSERT_NE(pio, nullptr);
      EXPECT_EQ(pio->prefix.toString(), tf.at("icmpv6.rpl.opt.prefix").get<std::string>());
      EXPECT_EQ(pio->prefix_length, 64);
      EXPECT_TRUE(pio->autonomous);
      EXPECT_FALSE(pio->on_link);
    } else if (const auto* dao = std::get_if<Dao>(&*m)) {
      EXPECT_EQ(dao->ack_requested, tf.at("icmpv6.rpl.dao.flag.k").get<std::string>() == "1");
      EXPECT_EQ(dao->sequence, std::stoi(tf.at("icmpv6.rpl.dao.sequence").get<std::string>()));
      const auto* target = dao->options.find<Target>();
      ASSERT_NE(target, nullptr);
      EXPECT_EQ(target->prefix_length, 128);
      EXPECT_EQ(target->prefix.toString(),
                tf.at("icmpv6.rpl.opt.target.prefix").get<std::string>());
      const auto* transit = dao->options.find<TransitInformation>();
      ASSERT_NE(transit, nullptr);
      ASSERT_TRUE(transit->parent.has_value());
      EXPECT_EQ(transit->parent->toString(),
                tf.at("icmpv6.rpl.opt.transit.parent").get<std::string>());
      EXPECT_EQ(transit->path_lifetime, 30);
      EXPECT_EQ(transit->path_sequence, 1);
      EXPECT_EQ(dao->dodag_id.has_value(), tf.contains("icmpv6.rpl.dao.dodagid"));
      if (dao->dodag_id) {
        EXPECT_EQ(dao->dodag_id->toString(), tf.at("icmpv6.rpl.dao.dodagid").get<std::string>());
      }
    } else {
      ASSERT_TRUE(std::holds_alternative<Dis>(*m));
      EXPECT_TRUE(std::get<Dis>(*m).options.list.empty());
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(RplMessages, DaoAckAndEveryOptionRoundTrip) {
  DaoAck ack;
  ack.instance_id = 0x1e;
  ack.sequence = 7;
  ack.status = 128;
  ack.dodag_id = A("fd00::1");
  auto enc = encodeMessage(ack);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(toHex(*enc), "1e800780fd000000000000000000000000000001");
  auto back = parseMessage(code::kDaoAck, *enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<DaoAck>(*back), ack);

  Dio dio;
  dio.instance_id = 1;
  dio.version = 2;
  dio.rank = 768;
  dio.mop = Mop::kStoringMulticast;
  dio.preference = 5;
  dio.dodag_id = A("2001:db8::1");
  dio.options.add(Padding{true, 0});
  dio.options.add(Padding{false, 3});
  dio.options.add(DagMetricContainer{{0x07, 0x00, 0x00, 0x02, 0x00, 0x10}});
  dio.options.add(RouteInformation{48, 3, 3600, A("2001:db8:aa::")});
  dio.options.add(DodagConfiguration{});
  dio.options.add(SolicitedInformation{1, true, false, true, A("2001:db8::1"), 9});
  dio.options.add(PrefixInformation{64, true, true, true, 100, 50, A("2001:db8::1")});
  dio.options.add(TargetDescriptor{0xdeadbeef});
  dio.options.add(UnknownOption{0x42, {1, 2, 3}});
  auto d = encodeMessage(dio);
  ASSERT_TRUE(d.ok());
  auto dback = parseMessage(code::kDio, *d);
  ASSERT_TRUE(dback.ok());
  EXPECT_EQ(std::get<Dio>(*dback), dio);
  // Route Information: 6 bytes + 8 prefix bytes for a /48 (RFC 4191 sizes); Prf in bits 3-4.
  EXPECT_NE(toHex(*d).find("030e301800000e1020010db800aa0000"), std::string::npos) << toHex(*d);
  // A 6-byte prefix field (allowed by RFC 6550 §6.7.5) is accepted too.
  auto six = Options::parse(Bytes{0x03, 0x0c, 48, 0, 0, 0, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0xaa});
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(six->find<RouteInformation>()->prefix, A("2001:db8:aa::"));

  // Storing-mode DAO: targets then a transit without parent; a no-path DAO.
  Dao dao;
  dao.ack_requested = true;
  dao.sequence = 250;
  dao.options.add(Target{0, 128, A("fd00::5")});
  dao.options.add(Target{0, 64, A("fd00:1::")});
  dao.options.add(TransitInformation{false, 0, 3, 0, std::nullopt});
  auto s = encodeMessage(dao);
  ASSERT_TRUE(s.ok());
  auto sback = parseMessage(code::kDao, *s);
  ASSERT_TRUE(sback.ok());
  const auto& sd = std::get<Dao>(*sback);
  EXPECT_EQ(sd, dao);
  EXPECT_EQ(sd.options.all<Target>().size(), 2U);
  EXPECT_EQ(toHex(ByteSpan(*s).subspan(4 + 20, 10)), "050a0040fd0000010000");
}

TEST(RplMessagesNegative, BadInput) {
  EXPECT_EQ(parseMessage(0x81, Bytes{0, 0}).error(), Error::kUnsupported);  // secure DIO
  EXPECT_EQ(parseMessage(0x04, Bytes{0, 0}).error(), Error::kUnsupported);
  EXPECT_EQ(parseMessage(code::kDis, Bytes{0}).error(), Error::kTruncated);
  EXPECT_EQ(parseMessage(code::kDio, Bytes(23, 0)).error(), Error::kTruncated);
  EXPECT_EQ(parseMessage(code::kDao, Bytes{0, 0x40, 0, 1, 0xfd}).error(), Error::kTruncated);
  EXPECT_EQ(parseMessage(code::kDaoAck, Bytes{0, 0x80, 1, 0}).error(), Error::kTruncated);
  // Options: a DODAG configuration of the wrong length, a transit of 5 bytes, a prefix
  // information with length 129, a target with too few prefix bytes, a cut option.
  const Bytes dis = {0, 0};
  auto with = [&](Bytes opts) {
    Bytes b = dis;
    b.insert(b.end(), opts.begin(), opts.end());
    return parseMessage(code::kDis, b);
  };
  EXPECT_EQ(with({0x04, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).error(), Error::kMalformed);
  EXPECT_EQ(with({0x06, 0x05, 0, 0, 0, 0, 0}).error(), Error::kMalformed);
  Bytes pio = {0x08, 0x1e, 129};
  pio.resize(32, 0);
  EXPECT_EQ(with(pio).error(), Error::kMalformed);
  EXPECT_EQ(with({0x05, 0x04, 0, 128, 1, 2}).error(), Error::kMalformed);
  EXPECT_EQ(with({0x02, 0x05, 1, 2}).error(), Error::kTruncated);
  EXPECT_EQ(with({0x01}).error(), Error::kTruncated);
  EXPECT_TRUE(with({0x00, 0x01, 0x00, 0x00}).ok());  // Pad1, empty PadN
  // Every vector cut short fails cleanly (or, cut between options, parses fewer).
  const auto file = test::loadVectorFile("sixtisch/rpl-messages.json");
  for (const auto& v : test::vectorList(file)) {
    const Bytes body = hexField(v.at("inputs").at("rpl_body"));
    const auto code = v.at("inputs").at("icmpv6_code").get<std::uint8_t>();
    for (std::size_t n = 0; n < body.size(); ++n) {
      auto m = parseMessage(code, ByteSpan(body).first(n));
      if (!m.ok()) {
        EXPECT_TRUE(m.error() == Error::kTruncated || m.error() == Error::kMalformed);
      }
    }
  }
  Dio bad;
  bad.preference = 8;
  EXPECT_EQ(encodeMessage(bad).error(), Error::kInvalidArgs);
}

TEST(RplMessagesProperty, RandomOptionListsRoundTrip) {
  Rng rng(6550);
  for (int iter = 0; iter < 500; ++iter) {
    Dao dao;
    dao.instance_id = static_cast<std::uint8_t>(rng.next());
    dao.sequence = static_cast<std::uint8_t>(rng.next());
    if (rng.below(2) != 0) dao.dodag_id = A("fd00::1");
    const auto n = rng.below(6);
    for (std::uint64_t i = 0; i < n; ++i) {
      ipv6::Address a;
      rng.fill(a.bytes);
      const auto len = static_cast<std::uint8_t>(rng.below(129));
      if (rng.below(2) == 0) {
        dao.options.add(Target{0, len, ipv6::Prefix::make(a, len).address});
      } else {
        dao.options.add(TransitInformation{rng.below(2) == 0, 0, static_cast<std::uint8_t>(i), 30,
                                           rng.below(2) == 0 ? std::optional(a) : std::nullopt});
      }
    }
    auto enc = encodeMessage(dao);
    ASSERT_TRUE(enc.ok());
    auto back = parseMessage(code::kDao, *enc);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(std::get<Dao>(*back), dao);
  }
}

}  // namespace
}  // namespace lpm::rpl
