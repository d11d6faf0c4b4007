// Property tests over randomized frames: every addressing / PAN ID compression
// combination, with and without sequence number suppression, IEs and security, must
// survive encode -> parse -> encode unchanged, and secure -> parse -> unsecure.
#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/ieee802154/security.hpp"
#include "tests/ieee802154/builders.hpp"

namespace lpm::ieee802154 {
namespace {

class FrameGen {
 public:
  explicit FrameGen(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t below(std::uint64_t n) { return rng_.below(n); }
  bool coin() { return rng_.below(2) == 1; }
  template <class T>
  T num(std::uint64_t n) {
    return static_cast<T>(rng_.below(n));
  }

  Bytes bytes(std::size_t max_len) {
    Bytes b(static_cast<std::size_t>(rng_.below(max_len + 1)));
    rng_.fill(b);
    return b;
  }

  MacAddress address(AddrMode mode) {
    if (mode == AddrMode::kShort) return MacAddress::fromShort(num<std::uint16_t>(0x10000));
    if (mode == AddrMode::kExtended) {
      Eui64 e{};
      rng_.fill(e);
      return MacAddress::fromExtended(e);
    }
    return MacAddress::none();
  }

  HeaderIe headerIe() {
    if (coin()) {
      return TimeCorrectionIe{static_cast<std::int16_t>(rng_.uniformInt(-2048, 2047)), coin(),
                              num<std::uint8_t>(8)};
    }
    std::uint8_t id = 0;
    do {
      id = num<std::uint8_t>(0x7e);
    } while (id == kHeaderIeTimeCorrection);
    return UnknownHeaderIe{id, bytes(12)};
  }

  MlmeSubIe subIe() {
    switch (below(6)) {
      case 0:
        return TschSynchronizationIe{rng_.below(1ULL << 40), num<std::uint8_t>(256)};
      case 1: {
        TschSlotframeLinkIe sfl;
        const auto n = below(3);
        for (std::uint64_t i = 0; i < n; ++i) {
          SlotframeInfo sf{num<std::uint8_t>(256), num<std::uint16_t>(0x10000), {}};
          const auto links = below(4);
          for (std::uint64_t j = 0; j < links; ++j) {
            sf.links.push_back(LinkInfo{num<std::uint16_t>(0x10000), num<std::uint16_t>(16),
                                        num<std::uint8_t>(0x20)});
          }
          sfl.slotframes.push_back(sf);
        }
        return sfl;
      }
      case 2: {
        TschTimeslotIe ts{num<std::uint8_t>(256), std::nullopt};
        if (coin()) {
          TimeslotTiming t;
          t.tx_offset = num<std::uint16_t>(0x10000);
          t.wide_fields = coin();
          t.timeslot_length = num<std::uint32_t>(t.wide_fields ? 0x1000000 : 0x10000);
          t.max_tx = num<std::uint32_t>(0x10000);
          ts.timing = t;
        }
        return ts;
      }
      case 3: {
        ChannelHoppingIe ch{num<std::uint8_t>(256), std::nullopt};
        if (coin()) {
          ChannelHoppingFull f;
          f.channel_page = num<std::uint8_t>(10);
          f.number_of_channels = 16;
          f.phy_configuration = rng_.nextU32();
          f.one_byte_entries = coin();
          const auto n = 1 + below(16);
          for (std::uint64_t i = 0; i < n; ++i)
            f.sequence.push_back(num<std::uint16_t>(256));
          f.current_hop = num<std::uint16_t>(16);
          ch.full = f;
        }
        return ch;
      }
      case 4: {
        std::uint8_t id = 0;
        do {
          id = num<std::uint8_t>(0x80);
        } while (id >= kSubIeTschSynchronization && id <= kSubIeTschTimeslot);
        return UnknownSubIe{false, id, bytes(10)};
      }
      default: {
        std::uint8_t id = 0;
        do {
          id = num<std::uint8_t>(16);
        } while (id == kSubIeChannelHopping);
        return UnknownSubIe{true, id, bytes(10)};
      }
    }
  }

  PayloadIe payloadIe() {
    switch (below(3)) {
      case 0: {
        MlmeIe m;
        const auto n = 1 + below(4);
        for (std::uint64_t i = 0; i < n; ++i)
          m.sub_ies.push_back(subIe());
        return m;
      }
      case 1:
        return IetfIe{num<std::uint8_t>(256), bytes(8)};
      default: {
        std::uint8_t g = 0;
        do {
          g = num<std::uint8_t>(15);
        } while (g == kPayloadIeMlme || g == kPayloadIeIetf);
        return UnknownPayloadIe{g, bytes(8)};
      }
    }
  }

  AuxSecurityHeader aux(FrameVersion v) {
    AuxSecurityHeader h;
    h.level = static_cast<SecurityLevel>(1 + below(7));
    h.key_id_mode = static_cast<KeyIdMode>(below(4));
    if (v == FrameVersion::k2015) {
      h.frame_counter_suppressed = coin();
      h.asn_in_nonce = coin();
    }
    h.frame_counter = rng_.nextU32();
    rng_.fill(h.key_source);
    const std::size_t used = keySourceLength(h.key_id_mode);
    std::fill(h.key_source.begin() + static_cast<std::ptrdiff_t>(used), h.key_source.end(), 0);
    h.key_index = num<std::uint8_t>(256);
    return h;
  }

  // A plaintext frame with the given addressing.
  Frame frame(FrameVersion v, AddrMode dst, AddrMode src, bool comp, bool seq_suppressed,
              bool with_ies, bool secure) {
    Frame f;
    f.version = v;
    f.type = static_cast<FrameType>(below(4));
    f.frame_pending = coin();
    f.ack_request = coin();
    f.pan_id_compression = comp;
    f.seq_suppressed = seq_suppressed;
    f.seq = seq_suppressed ? 0 : num<std::uint8_t>(256);
    const PanIdPresence p = panIdPresence(v, dst, src, comp);
    f.dst = address(dst);
    f.src = address(src);
    if (p.dst) f.dst_pan = num<std::uint16_t>(0x10000);
    if (p.src) f.src_pan = num<std::uint16_t>(0x10000);
    if (secure) f.security = aux(v);
    if (with_ies) {
      const auto nh = below(3);
      for (std::uint64_t i = 0; i < nh; ++i)
        f.header_ies.push_back(headerIe());
      const auto np = below(3);
      for (std::uint64_t i = 0; i < np; ++i)
        f.payload_ies.push_back(payloadIe());
    }
    if (v != FrameVersion::k2015 && f.type == FrameType::kBeacon) {
      // Superframe spec, GTS spec (no GTS), pending spec (none), beacon payload.
      f.payload = {0xff, 0xcf, 0x00, 0x00};
      const Bytes extra = bytes(6);
      f.payload.insert(f.payload.end(), extra.begin(), extra.end());
    } else {
      f.payload = bytes(20);
      if (f.type == FrameType::kMacCommand && f.payload.empty()) f.payload.push_back(0x04);
    }
    return f;
  }

 private:
  Rng rng_;
};

constexpr AddrMode kModes[] = {AddrMode::kNone, AddrMode::kShort, AddrMode::kExtended};

TEST(Ieee802154RoundTrip, RandomPlainFrames) {
  FrameGen gen(0x802154);
  int checked = 0;
  for (FrameVersion v : {FrameVersion::k2003, FrameVersion::k2006, FrameVersion::k2015}) {
    for (AddrMode d : kModes) {
      for (AddrMode s : kModes) {
        for (bool comp : {false, true}) {
          if (!panIdPresence(v, d, s, comp).valid) continue;
          for (bool seq_sup : {false, true}) {
            if (seq_sup && v != FrameVersion::k2015) continue;
            for (bool ies : {false, true}) {
              if (ies && v != FrameVersion::k2015) continue;
              for (int rep = 0; rep < 12; ++rep) {
                const Frame f = gen.frame(v, d, s, comp, seq_sup, ies, false);
                auto bytes = f.encode();
                ASSERT_TRUE(bytes.ok()) << errorName(bytes.error());
                auto back = Frame::parse(*bytes);
                ASSERT_TRUE(back.ok()) << errorName(back.error()) << " " << toHex(*bytes);
                EXPECT_EQ(*back, f) << toHex(*bytes);
                auto again = back->encode();
                ASSERT_TRUE(again.ok());
                EXPECT_EQ(*again, *bytes);
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  // 2015: 18 combinations x 2 x 2; 2003/2006: 13 valid combinations each.
  EXPECT_EQ(checked, 12 * (18 * 4 + 13 * 2));
}

TEST(Ieee802154RoundTrip, RandomSecuredFrames) {
  FrameGen gen(0x6715c);
  int checked = 0;
  for (FrameVersion v : {FrameVersion::k2006, FrameVersion::k2015}) {
    for (AddrMode d : kModes) {
      for (AddrMode s : kModes) {
        for (bool comp : {false, true}) {
          if (!panIdPresence(v, d, s, comp).valid) continue;
          for (int rep = 0; rep < 10; ++rep) {
            const bool ies = v == FrameVersion::k2015 && gen.coin();
            const bool seq_sup = v == FrameVersion::k2015 && gen.coin();
            const Frame plain = gen.frame(v, d, s, comp, seq_sup, ies, true);
            crypto::Key128 key{};
            for (auto& b : key)
              b = gen.num<std::uint8_t>(256);
            Eui64 originator{};
            for (auto& b : originator)
              b = gen.num<std::uint8_t>(256);
            const std::uint64_t asn = gen.below(1ULL << 40);
            auto nonce = frameNonce(*plain.security, originator, asn);
            ASSERT_TRUE(nonce.ok());
            auto secured = secureFrame(plain, key, *nonce);
            ASSERT_TRUE(secured.ok()) << errorName(secured.error());
            EXPECT_TRUE(secured->secured);
            EXPECT_EQ(secured->mic.size(), micLength(plain.security->level));
            auto wire = secured->encode();
            ASSERT_TRUE(wire.ok());
            auto rx = Frame::parse(*wire);
            ASSERT_TRUE(rx.ok()) << errorName(rx.error()) << " " << toHex(*wire);
            EXPECT_EQ(*rx, *secured);
            EXPECT_EQ(rx->encode().value(), *wire);
            auto back = unsecureFrame(*rx, key, *nonce);
            ASSERT_TRUE(back.ok()) << errorName(back.error());
            EXPECT_EQ(*back, plain);
            // Encrypting levels hide the private payload.
            if (isEncrypting(plain.security->level)) {
              EXPECT_TRUE(rx->payload_ies.empty());
            }
            // One flipped bit anywhere in the frame fails (or no longer parses).
            Bytes tampered = *wire;
            tampered[static_cast<std::size_t>(gen.below(tampered.size()))] ^=
                static_cast<std::uint8_t>(1U << gen.below(8));
            auto t = Frame::parse(tampered);
            if (t.ok() && t->security && micLength(t->security->level) > 0) {
              auto tn = frameNonce(*t->security, originator, asn);
              if (tn.ok()) {
                EXPECT_FALSE(unsecureFrame(*t, key, *tn).ok()) << toHex(tampered);
              }
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 10 * (18 + 13));
}

}  // namespace
}  // namespace lpm::ieee802154
