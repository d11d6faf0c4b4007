// Auxiliary security header, key table, frame counters and replay, secExempt and the
// RFC 8180 §4.6 joining key modes.
#include "lpmesh/ieee802154/security.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "tests/ieee802154/builders.hpp"

namespace lpm::ieee802154 {
namespace {

using namespace lpm::ieee802154::test;

constexpr crypto::Key128 kK1 =
    hexArray<16>("365469534348206d696e696d616c3135");  // "6TiSCH minimal15"
constexpr crypto::Key128 kK2 = hexArray<16>("deadbeeffacecafedeadbeeffacecafe");

KeyDescriptor k1Descriptor() {
  KeyDescriptor k;
  k.id = KeyIdentifier::fromIndex(1);
  k.key = kK1;
  k.usage = kUsageBeacon;
  return k;
}
KeyDescriptor k2Descriptor() {
  KeyDescriptor k;
  k.id = KeyIdentifier::fromIndex(2);
  k.key = kK2;
  k.usage = kUsageData | kUsageAck | kUsageCommand;
  return k;
}

TEST(Ieee802154AuxSecurity, AllModesRoundTrip) {
  for (unsigned level = 0; level < 8; ++level) {
    for (unsigned mode = 0; mode < 4; ++mode) {
      for (unsigned flags = 0; flags < 4; ++flags) {
        AuxSecurityHeader h;
        h.level = static_cast<SecurityLevel>(level);
        h.key_id_mode = static_cast<KeyIdMode>(mode);
        h.frame_counter_suppressed = (flags & 1U) != 0;
        h.asn_in_nonce = (flags & 2U) != 0;
        h.frame_counter = 0x01020304;
        h.key_source = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7};
        h.key_index = 0x42;
        const Bytes b = h.encode();
        EXPECT_EQ(b.size(), h.size());
        EXPECT_EQ(b.size(), 1 + (h.frame_counter_suppressed ? 0 : 4) +
                                keySourceLength(h.key_id_mode) + (mode == 0 ? 0 : 1));
        auto back = AuxSecurityHeader::parse(b);
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(*back, h);
        // Every truncation is rejected.
        for (std::size_t n = 0; n < b.size(); ++n) {
          EXPECT_EQ(AuxSecurityHeader::parse(ByteSpan(b).first(n)).error(), Error::kTruncated);
        }
      }
    }
  }
  EXPECT_EQ(toHex(AuxSecurityHeader::parse(hexBytes("0205000000")).value().encode()), "0205000000");
  EXPECT_EQ(AuxSecurityHeader::parse(hexBytes("8a01")).error(), Error::kMalformed);
  EXPECT_EQ(AuxSecurityHeader::parse(hexBytes("690100")).error(), Error::kTrailing);
}

TEST(Ieee802154AuxSecurity, MicLengths) {
  EXPECT_EQ(micLength(SecurityLevel::kNone), 0U);
  EXPECT_EQ(micLength(SecurityLevel::kMic32), 4U);
  EXPECT_EQ(micLength(SecurityLevel::kMic64), 8U);
  EXPECT_EQ(micLength(SecurityLevel::kMic128), 16U);
  EXPECT_EQ(micLength(SecurityLevel::kEnc), 0U);
  EXPECT_EQ(micLength(SecurityLevel::kEncMic32), 4U);
  EXPECT_EQ(micLength(SecurityLevel::kEncMic64), 8U);
  EXPECT_EQ(micLength(SecurityLevel::kEncMic128), 16U);
  EXPECT_FALSE(isEncrypting(SecurityLevel::kMic128));
  EXPECT_TRUE(isEncrypting(SecurityLevel::kEnc));
}

TEST(Ieee802154AuxSecurity, Nonces) {
  EXPECT_EQ(toHex(frameCounterNonce(eui("acde480000000001"), 5, SecurityLevel::kMic64)),
            "acde4800000000010000000502");
  EXPECT_EQ(toHex(tschNonce(eui("0011223344556677"), 100000)), "001122334455667700000186a0");
  AuxSecurityHeader h = tschAux(SecurityLevel::kEncMic32, 2);
  EXPECT_EQ(frameNonce(h, eui("0011223344556677"), std::nullopt).error(), Error::kInvalidArgs);
  EXPECT_EQ(toHex(frameNonce(h, eui("0011223344556677"), 100000).value()),
            "001122334455667700000186a0");
  h.asn_in_nonce = false;
  h.frame_counter_suppressed = false;
  h.frame_counter = 7;
  EXPECT_EQ(toHex(frameNonce(h, eui("0011223344556677"), 100000).value()),
            "00112233445566770000000705");
}

TEST(Ieee802154Security, Level0AndMisuse) {
  Frame f = enhancedAck(1, eui("0011223344556677"), 0, false);
  f.security = AuxSecurityHeader{};
  f.security->key_id_mode = KeyIdMode::kIndex;
  auto s = secureFrame(f, kK2, Nonce{});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->secured);
  EXPECT_TRUE(s->mic.empty());
  EXPECT_EQ(unsecureFrame(*s, kK2, Nonce{}).value(), f);
  EXPECT_EQ(secureFrame(*s, kK2, Nonce{}).error(), Error::kInvalidArgs);   // already secured
  EXPECT_EQ(unsecureFrame(f, kK2, Nonce{}).error(), Error::kInvalidArgs);  // not secured
  Frame plain = enhancedAck(1, eui("0011223344556677"), 0, false);
  EXPECT_EQ(secureFrame(plain, kK2, Nonce{}).error(), Error::kInvalidArgs);
  // A secured-form frame must carry a MIC of its level's length.
  Frame bad = *s;
  bad.security->level = SecurityLevel::kEncMic32;
  EXPECT_EQ(bad.encode().error(), Error::kInvalidArgs);
}

TEST(Ieee802154Security, EncryptedPayloadIesAreHidden) {
  // ENC-MIC-32 data frame with a header IE, an IETF payload IE and a payload:
  // header IE in clear, HT1, then payload IEs + PT + payload encrypted.
  Frame f;
  f.type = FrameType::kData;
  f.seq = 9;
  f.pan_id_compression = true;
  f.dst_pan = 0xabcd;
  f.dst = MacAddress::fromShort(0x0002);
  f.src = MacAddress::fromExtended(eui("0011223344556677"));
  f.security = tschAux(SecurityLevel::kEncMic32, 2);
  f.header_ies.emplace_back(TimeCorrectionIe{12, false, 0});
  f.payload_ies.emplace_back(IetfIe{0xc9, {0x02, 0x03, 0x04}});
  f.payload = hexBytes("7a3b3a1a");
  const Nonce nonce = tschNonce(eui("0011223344556677"), 777);
  auto s = secureFrame(f, kK2, nonce);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->payload_ies.empty());
  EXPECT_EQ(s->header_ies, f.header_ies);
  EXPECT_EQ(s->header_termination, HeaderTermination::kHt1);
  // Private payload: 6 (IETF IE) + 2 (PT) + 4 (payload).
  EXPECT_EQ(s->payload.size(), 12U);
  const Bytes wire = s->encode().value();
  const std::string hex = toHex(wire);
  EXPECT_NE(hex.find("020f0c00003f"), std::string::npos);  // header IE + HT1 in clear
  EXPECT_EQ(hex.find("7a3b3a1a"), std::string::npos);      // payload encrypted
  auto rx = Frame::parse(wire);
  ASSERT_TRUE(rx.ok());
  auto plain = unsecureFrame(*rx, kK2, nonce);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, f);
  // MIC-only: everything stays readable and is authenticated.
  f.security = tschAux(SecurityLevel::kMic64, 2);
  auto m = secureFrame(f, kK2, nonce);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->payload_ies, f.payload_ies);
  EXPECT_EQ(m->payload, f.payload);
  EXPECT_EQ(m->mic.size(), 8U);
  Frame forged = *m;
  forged.payload[0] ^= 1;
  EXPECT_EQ(unsecureFrame(forged, kK2, nonce).error(), Error::kAuthFailed);
}

TEST(Ieee802154KeyTable, AddLookupUsage) {
  KeyTable t(2);
  EXPECT_EQ(t.add(k1Descriptor()), Error::kNone);
  EXPECT_EQ(t.add(k1Descriptor()), Error::kAlreadyExists);
  EXPECT_EQ(t.add(k2Descriptor()), Error::kNone);
  KeyDescriptor k3 = k2Descriptor();
  k3.id = KeyIdentifier::fromIndex(3);
  EXPECT_EQ(t.add(k3), Error::kNoBufs);
  EXPECT_TRUE(t.hasKeyFor(FrameType::kBeacon));
  EXPECT_TRUE(t.hasKeyFor(FrameType::kAck));

  const AuxSecurityHeader eb = tschAux(SecurityLevel::kMic32, 1);
  auto k = t.lookup(eb, FrameType::kBeacon);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)->key, kK1);
  EXPECT_EQ(t.lookup(eb, FrameType::kData).error(), Error::kDropped);  // K1 is for EBs only
  EXPECT_EQ(t.lookup(tschAux(SecurityLevel::kMic32, 9), FrameType::kBeacon).error(),
            Error::kNotFound);

  // Key source modes: the source is part of the identifier.
  KeyTable s(4);
  KeyDescriptor src4;
  src4.id = KeyIdentifier{KeyIdMode::kSource4Index, 1, {1, 2, 3, 4, 0, 0, 0, 0}};
  src4.key = kK2;
  ASSERT_EQ(s.add(src4), Error::kNone);
  AuxSecurityHeader h;
  h.level = SecurityLevel::kEncMic32;
  h.key_id_mode = KeyIdMode::kSource4Index;
  h.key_index = 1;
  h.key_source = {1, 2, 3, 4, 9, 9, 9, 9};  // bytes past the 4-byte source are ignored
  EXPECT_TRUE(s.lookup(h, FrameType::kData).ok());
  h.key_source[0] = 7;
  EXPECT_EQ(s.lookup(h, FrameType::kData).error(), Error::kNotFound);
  // Implicit mode: one default key.
  KeyDescriptor implicit;
  implicit.id.mode = KeyIdMode::kImplicit;
  implicit.key = kK1;
  ASSERT_EQ(s.add(implicit), Error::kNone);
  AuxSecurityHeader h0;
  h0.level = SecurityLevel::kMic32;
  EXPECT_EQ(s.lookup(h0, FrameType::kData).value()->key, kK1);

  EXPECT_EQ(t.remove(KeyIdentifier::fromIndex(1)), Error::kNone);
  EXPECT_EQ(t.remove(KeyIdentifier::fromIndex(1)), Error::kNotFound);
  EXPECT_FALSE(t.hasKeyFor(FrameType::kBeacon));
  KeyDescriptor replaced = k2Descriptor();
  replaced.key = kK1;
  EXPECT_EQ(t.set(replaced), Error::kNone);
  EXPECT_EQ(t.find(KeyIdentifier::fromIndex(2))->key, kK1);
}

TEST(Ieee802154FrameCounters, ReplayRejected) {
  FrameCounterTable c(2);
  const Eui64 a = eui("0011223344556677");
  const Eui64 b = eui("0011223344556678");
  const KeyIdentifier k = KeyIdentifier::fromIndex(2);
  EXPECT_EQ(c.check(a, k, 0), Error::kNone);
  EXPECT_EQ(c.accept(a, k, 10), Error::kNone);
  EXPECT_EQ(c.check(a, k, 10), Error::kReplay);
  EXPECT_EQ(c.check(a, k, 9), Error::kReplay);
  EXPECT_EQ(c.check(a, k, 11), Error::kNone);
  EXPECT_EQ(c.check(a, k, 0xffffffffU), Error::kReplay);
  // Per key and per device.
  EXPECT_EQ(c.check(a, KeyIdentifier::fromIndex(3), 1), Error::kNone);
  EXPECT_EQ(c.check(b, k, 1), Error::kNone);
  EXPECT_EQ(c.accept(b, k, 1), Error::kNone);
  EXPECT_EQ(c.accept(b, KeyIdentifier::fromIndex(3), 1), Error::kNoBufs);
  c.forget(b);
  EXPECT_EQ(c.size(), 1U);
  EXPECT_EQ(c.last(a, k), 10U);
}

// A 2006-style data frame secured with the frame-counter nonce (non-TSCH use).
Frame counterFrame(const Eui64& src, std::uint8_t seq) {
  Frame f;
  f.version = FrameVersion::k2006;
  f.type = FrameType::kData;
  f.seq = seq;
  f.pan_id_compression = true;
  f.dst_pan = 0xface;
  f.dst = MacAddress::fromShort(0x0001);
  f.src = MacAddress::fromExtended(src);
  AuxSecurityHeader h;
  h.level = SecurityLevel::kEncMic32;
  h.key_id_mode = KeyIdMode::kIndex;
  h.key_index = 2;
  f.security = h;
  f.payload = {0x10, 0x20, 0x30};
  return f;
}

TEST(Ieee802154LinkSecurity, FrameCounterNonceAndReplay) {
  const Eui64 alice = eui("0011223344556601");
  const Eui64 bob = eui("0011223344556602");
  LinkSecurity tx(alice);
  LinkSecurity rx(bob);
  ASSERT_EQ(tx.keys().add(k2Descriptor()), Error::kNone);
  ASSERT_EQ(rx.keys().add(k2Descriptor()), Error::kNone);
  tx.keys().find(KeyIdentifier::fromIndex(2))->outgoing_frame_counter = 41;

  auto s1 = tx.secureOutgoing(counterFrame(alice, 1), std::nullopt);
  ASSERT_TRUE(s1.ok()) << errorName(s1.error());
  EXPECT_EQ(s1->security->frame_counter, 41U);
  auto s2 = tx.secureOutgoing(counterFrame(alice, 2), std::nullopt);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->security->frame_counter, 42U);

  const Frame rx1 = Frame::parse(s1->encode().value()).value();
  const Frame rx2 = Frame::parse(s2->encode().value()).value();
  auto in2 = rx.processIncoming(rx2, alice, std::nullopt);
  ASSERT_TRUE(in2.ok()) << errorName(in2.error());
  EXPECT_EQ(in2->status, RxSecurity::kVerified);
  EXPECT_EQ(in2->frame.payload, (Bytes{0x10, 0x20, 0x30}));
  // Replays and older counters are refused.
  EXPECT_EQ(rx.processIncoming(rx2, alice, std::nullopt).error(), Error::kReplay);
  EXPECT_EQ(rx.processIncoming(rx1, alice, std::nullopt).error(), Error::kReplay);
  // A forged frame does not advance the counter.
  Frame forged =
      Frame::parse(tx.secureOutgoing(counterFrame(alice, 3), std::nullopt).value().encode().value())
          .value();
  forged.payload[0] ^= 0x80;
  EXPECT_EQ(rx.processIncoming(forged, alice, std::nullopt).error(), Error::kAuthFailed);
  EXPECT_EQ(rx.counters().last(alice, KeyIdentifier::fromIndex(2)), 42U);
  // Counter exhaustion.
  tx.keys().find(KeyIdentifier::fromIndex(2))->outgoing_frame_counter = 0xffffffffU;
  EXPECT_EQ(tx.secureOutgoing(counterFrame(alice, 4), std::nullopt).error(), Error::kTooLong);
}

TEST(Ieee802154LinkSecurity, TschK1K2) {
  const Eui64 coord = eui("0011223344556677");
  const Eui64 node = eui("0011223344556678");
  LinkSecurity c(coord);
  LinkSecurity n(node);
  for (LinkSecurity* s : {&c, &n}) {
    ASSERT_EQ(s->keys().add(k1Descriptor()), Error::kNone);
    ASSERT_EQ(s->keys().add(k2Descriptor()), Error::kNone);
  }
  Frame eb = minimalEb(MacAddress::fromExtended(coord), 100000, 0);
  eb.security = tschAux(SecurityLevel::kMic32, 1);
  auto seb = c.secureOutgoing(eb, 100000);
  ASSERT_TRUE(seb.ok());
  // Same bytes as the tsch-security.json secured EB.
  EXPECT_EQ(toHex(seb->mic), "9d358db0");
  auto in = n.processIncoming(*seb, coord, 100000);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->status, RxSecurity::kVerified);
  // ASN nonces carry no counter: the same EB is not a "replay" at this layer.
  EXPECT_TRUE(n.processIncoming(*seb, coord, 100000).ok());
  // Wrong ASN or a missing ASN.
  EXPECT_EQ(n.processIncoming(*seb, coord, 100001).error(), Error::kAuthFailed);
  EXPECT_EQ(n.processIncoming(*seb, coord, std::nullopt).error(), Error::kInvalidArgs);
  // An unsecured EB is dropped once K1 is installed.
  EXPECT_EQ(n.processIncoming(minimalEb(MacAddress::fromExtended(coord), 5, 0), coord, 5).error(),
            Error::kDropped);
  // Data with K1's index: usage refuses it.
  Frame data = counterFrame(node, 1);
  data.version = FrameVersion::k2015;
  data.security = tschAux(SecurityLevel::kEncMic32, 1);
  EXPECT_EQ(n.secureOutgoing(data, 7).error(), Error::kDropped);
  data.security = tschAux(SecurityLevel::kEncMic32, 2);
  auto sd = n.secureOutgoing(data, 7);
  ASSERT_TRUE(sd.ok());
  auto rd = c.processIncoming(*sd, node, 7);
  ASSERT_TRUE(rd.ok());
  EXPECT_EQ(rd->frame.payload, data.payload);
}

TEST(Ieee802154LinkSecurity, ForgedEbNeverVerifiesInK1Mode) {
  const Eui64 attacker = eui("0011223344556699");
  LinkSecurity pledge(eui("00112233445566aa"), LinkSecurityConfig{JoinKeyMode::kK1Only});
  ASSERT_EQ(pledge.keys().add(k1Descriptor()), Error::kNone);
  Frame eb = minimalEb(MacAddress::fromExtended(attacker), 500, 1);
  eb.security = tschAux(SecurityLevel::kMic32, 1);
  const crypto::Key128 wrong = key128("000102030405060708090a0b0c0d0e0f");
  auto forged = secureFrame(eb, wrong, tschNonce(attacker, 500));
  ASSERT_TRUE(forged.ok());
  EXPECT_FALSE(pledge.acceptsUnverifiedBeacons());
  EXPECT_EQ(pledge.processIncoming(*forged, attacker, 500).error(), Error::kAuthFailed);
}

TEST(Ieee802154LinkSecurity, NoKeysJoinWithSecExempt) {
  const Eui64 jp = eui("0011223344556677");
  const Eui64 pledge_eui = eui("00112233445566aa");
  LinkSecurity proxy(jp);
  ASSERT_EQ(proxy.keys().add(k1Descriptor()), Error::kNone);
  ASSERT_EQ(proxy.keys().add(k2Descriptor()), Error::kNone);
  LinkSecurity pledge(pledge_eui, LinkSecurityConfig{JoinKeyMode::kNone});

  // The pledge has no K1: secured EBs are passed up unverified.
  Frame eb = minimalEb(MacAddress::fromExtended(jp), 100000, 0);
  eb.security = tschAux(SecurityLevel::kMic32, 1);
  auto seb = proxy.secureOutgoing(eb, 100000);
  ASSERT_TRUE(seb.ok());
  EXPECT_TRUE(pledge.acceptsUnverifiedBeacons());
  auto in = pledge.processIncoming(*seb, jp, 100000);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->status, RxSecurity::kUnverifiedBeacon);
  // MIC-only: the schedule is readable without the key.
  EXPECT_NE(findMlmeSubIe<TschSynchronizationIe>(in->frame.payload_ies), nullptr);
  // Secured data from the JP cannot be read yet.
  Frame data = counterFrame(jp, 1);
  data.version = FrameVersion::k2015;
  data.security = tschAux(SecurityLevel::kEncMic32, 2);
  auto sd = proxy.secureOutgoing(data, 9);
  ASSERT_TRUE(sd.ok());
  EXPECT_EQ(pledge.processIncoming(*sd, jp, 9).error(), Error::kNotFound);

  // The pledge talks in clear; the JP accepts it only under secExempt.
  Frame hello = counterFrame(pledge_eui, 2);
  hello.version = FrameVersion::k2015;
  hello.security.reset();
  EXPECT_EQ(proxy.processIncoming(hello, pledge_eui, 10).error(), Error::kDropped);
  ASSERT_EQ(proxy.addExempt(pledge_eui), Error::kNone);
  auto ex = proxy.processIncoming(hello, pledge_eui, 10);
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->status, RxSecurity::kExempt);
  // The pledge (no keys) accepts the JP's clear answer.
  auto ans = pledge.processIncoming(hello, jp, 11);
  ASSERT_TRUE(ans.ok());
  EXPECT_EQ(ans->status, RxSecurity::kUnsecured);

  // Keys installed, exemption cleared: clear frames are refused again, EBs verified.
  ASSERT_EQ(pledge.keys().add(k1Descriptor()), Error::kNone);
  ASSERT_EQ(pledge.keys().add(k2Descriptor()), Error::kNone);
  proxy.clearExempt(pledge_eui);
  EXPECT_FALSE(proxy.isExempt(pledge_eui));
  EXPECT_EQ(proxy.processIncoming(hello, pledge_eui, 12).error(), Error::kDropped);
  EXPECT_FALSE(pledge.acceptsUnverifiedBeacons());
  EXPECT_EQ(pledge.processIncoming(*seb, jp, 100000).value().status, RxSecurity::kVerified);
  EXPECT_EQ(pledge.processIncoming(*sd, jp, 9).value().status, RxSecurity::kVerified);
}

}  // namespace
}  // namespace lpm::ieee802154
