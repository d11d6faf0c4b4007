// AES-CCM (RFC 3610 packet vectors) and 802.15.4 CCM* (Annex C vectors in
// tests/vectors/sixtisch/ieee802154-ccm-star.json), with the failure paths.
#include <gtest/gtest.h>

#include "lpmesh/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::crypto {
namespace {

using test::hex;
using test::hexArray;
using test::hexOf;

struct CcmPacketVector {
  int number;
  const char* key;
  const char* nonce;
  std::size_t header_len;  // leading octets of `packet` sent in clear (the AAD)
  const char* packet;
  const char* expected;  // header || ciphertext || MIC
  std::size_t mic_len;
};

// RFC 3610 §8. #1-#3 and #13 have an 8-octet MIC, #7, #19 and #24 a 10-octet one.
constexpr const char* kKeyC0 = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
constexpr const char* kKeyD7 = "d7828d13b2b0bdc325a76236df93cc6b";
const CcmPacketVector kRfc3610[] = {
    {1, kKeyC0, "00000003020100a0a1a2a3a4a5", 8,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "0001020304050607588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0", 8},
    {2, kKeyC0, "00000004030201a0a1a2a3a4a5", 8,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "000102030405060772c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916", 8},
    {3, kKeyC0, "00000005040302a0a1a2a3a4a5", 8,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
     "000102030405060751b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5", 8},
    {7, kKeyC0, "00000009080706a0a1a2a3a4a5", 8,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "00010203040506070135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c048c56602c97acbb7490", 10},
    {13, kKeyD7, "00412b4ea9cdbe3c9696766cfa", 8,
     "0be1a88bace018b108e8cf97d820ea258460e96ad9cf5289054d895ceac47c",
     "0be1a88bace018b14cb97f86a2a4689a877947ab8091ef5386a6ffbdd080f8e78cf7cb0cddd7b3", 8},
    {19, kKeyD7, "0042fff8f1951c3c9696766cfa", 8,
     "d85bc7e69f944fb88a19b950bcf71a018e5e6701c91787659809d67dbedd18",
     "d85bc7e69f944fb8bc218daa947427b6db386a99ac1aef23ade0b52939cb6a637cf9bec2408897c6ba", 10},
    {24, kKeyD7, "008d493b30ae8b3c9696766cfa", 12,
     "6e37a6ef546d955d34ab6059abf21c0b02feb88f856df4a37381bce3cc128517d4",
     "6e37a6ef546d955d34ab6059f32905b88a641b04b9c9ffb58cc390900f3da12ab16dce9e82efa16da62059", 10},
};

TEST(AesCcm, Rfc3610PacketVectors) {
  for (const CcmPacketVector& v : kRfc3610) {
    SCOPED_TRACE("RFC 3610 packet vector #" + std::to_string(v.number));
    const auto key = hexArray<16>(v.key);
    const Bytes nonce = hex(v.nonce);
    const Bytes packet = hex(v.packet);
    const Bytes expected = hex(v.expected);
    const ByteSpan aad = ByteSpan(packet).first(v.header_len);
    const ByteSpan plaintext = ByteSpan(packet).subspan(v.header_len);
    const ByteSpan sealed_expected = ByteSpan(expected).subspan(v.header_len);

    auto sealed = ccmEncrypt(key, nonce, aad, plaintext, v.mic_len);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(hexOf(*sealed), hexOf(sealed_expected));

    auto opened = ccmDecrypt(key, nonce, aad, sealed_expected, v.mic_len);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(hexOf(*opened), hexOf(plaintext));
  }
}

class AesCcmNegative : public ::testing::Test {
 protected:
  const Key128 key_ = hexArray<16>(kKeyC0);
  const Bytes nonce_ = hex("00000003020100a0a1a2a3a4a5");
  const Bytes aad_ = hex("0001020304050607");
  const Bytes sealed_ =
      hex("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0");  // #1
};

TEST_F(AesCcmNegative, TamperedMicIsAuthFailed) {
  Bytes bad = sealed_;
  bad.back() ^= 0x01;
  EXPECT_EQ(ccmDecrypt(key_, nonce_, aad_, bad, 8).error(), Error::kAuthFailed);
}

TEST_F(AesCcmNegative, TamperedCiphertextOrAadIsAuthFailed) {
  Bytes bad = sealed_;
  bad[0] ^= 0x80;
  EXPECT_EQ(ccmDecrypt(key_, nonce_, aad_, bad, 8).error(), Error::kAuthFailed);
  Bytes bad_aad = aad_;
  bad_aad[7] ^= 0x01;
  EXPECT_EQ(ccmDecrypt(key_, nonce_, bad_aad, sealed_, 8).error(), Error::kAuthFailed);
  // A MIC checked at another length does not verify either.
  EXPECT_EQ(ccmDecrypt(key_, nonce_, aad_, sealed_, 4).error(), Error::kAuthFailed);
}

TEST_F(AesCcmNegative, BadNonceLengthIsInvalidArgs) {
  const Bytes short_nonce = hex("000102030405");                 // 6 octets
  const Bytes long_nonce = hex("000102030405060708090a0b0c0d");  // 14 octets
  EXPECT_EQ(ccmEncrypt(key_, short_nonce, aad_, hex("00"), 8).error(), Error::kInvalidArgs);
  EXPECT_EQ(ccmEncrypt(key_, long_nonce, aad_, hex("00"), 8).error(), Error::kInvalidArgs);
  EXPECT_EQ(ccmDecrypt(key_, short_nonce, aad_, sealed_, 8).error(), Error::kInvalidArgs);
  EXPECT_EQ(ccmDecrypt(key_, long_nonce, aad_, sealed_, 8).error(), Error::kInvalidArgs);
}

TEST_F(AesCcmNegative, BadMicLengthIsInvalidArgs) {
  for (std::size_t mic : {0u, 2u, 5u, 17u, 18u}) {
    EXPECT_EQ(ccmEncrypt(key_, nonce_, aad_, hex("00"), mic).error(), Error::kInvalidArgs) << mic;
    EXPECT_EQ(ccmDecrypt(key_, nonce_, aad_, sealed_, mic).error(), Error::kInvalidArgs) << mic;
  }
}

TEST_F(AesCcmNegative, InputShorterThanMicIsInvalidArgs) {
  EXPECT_EQ(ccmDecrypt(key_, nonce_, aad_, hex("0102030405"), 8).error(), Error::kInvalidArgs);
}

TEST(AesCcm, PayloadTooLongForNonceIsInvalidArgs) {
  // A 13-octet nonce leaves L = 2: at most 65535 octets of plaintext.
  const auto key = hexArray<16>(kKeyC0);
  const Bytes nonce = hex("00000003020100a0a1a2a3a4a5");
  const Bytes big(65536, 0x5a);
  EXPECT_EQ(ccmEncrypt(key, nonce, {}, big, 4).error(), Error::kInvalidArgs);
}

TEST(AesCcm, EmptyPlaintextGivesMicOnly) {
  const auto key = hexArray<16>(kKeyC0);
  const Bytes nonce = hex("00000003020100a0a1a2a3a4a5");
  auto tag = ccmEncrypt(key, nonce, hex("0001020304050607"), {}, 16);
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->size(), 16u);
  auto opened = ccmDecrypt(key, nonce, hex("0001020304050607"), *tag, 16);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
}

// Every vector of ieee802154-ccm-star.json. Its nonces are the 2006/2011 form
// (EUI-64 || frame counter || security level), so the last nonce octet is the security
// level, whose bit 2 says whether the payload is encrypted (802.15.4-2015 Table 9-6).
TEST(CcmStar, Ieee802154AnnexCVectors) {
  const auto file = lpm::test::loadVectorFile("sixtisch/ieee802154-ccm-star.json");
  const auto vectors = lpm::test::vectorList(file);
  ASSERT_EQ(vectors.size(), 4u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const auto key = hexArray<16>(in.at("key").get<std::string>());
    const Bytes nonce = lpm::test::hexField(in.at("nonce"));
    const Bytes a = lpm::test::hexField(in.at("a"));
    const Bytes m = lpm::test::hexField(in.at("m"));
    const auto mic_len = in.at("mic_len").get<std::size_t>();
    const std::string expected = v.at("expected").at("c_and_mic").get<std::string>();
    const bool encrypt = (nonce.back() & 0x04) != 0;

    auto sealed = ccmStarEncrypt(key, nonce, a, m, mic_len, encrypt);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(hexOf(*sealed), expected);

    auto opened = ccmStarDecrypt(key, nonce, a, lpm::test::hexField(expected), mic_len, encrypt);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(hexOf(*opened), hexOf(m));

    if (mic_len > 0) {
      Bytes bad = lpm::test::hexField(expected);
      bad.back() ^= 0x01;
      EXPECT_EQ(ccmStarDecrypt(key, nonce, a, bad, mic_len, encrypt).error(), Error::kAuthFailed);
    }
  }
}

// Annex C.2.1 (MIC-64, beacon): moving the beacon payload's last octets out of `a` into
// the clear payload must not change the MIC, because authentication-only levels
// authenticate a || payload.
TEST(CcmStar, MicOnlyAuthenticatesPayloadInClear) {
  const auto key = hexArray<16>(kKeyC0);
  const Bytes nonce = hex("acde4800000000010000000502");
  const Bytes frame = hex("08d0842143010000000048deac020500000055cf000051525354");
  const ByteSpan header = ByteSpan(frame).first(frame.size() - 4);
  const ByteSpan payload = ByteSpan(frame).last(4);

  auto sealed = ccmStarEncrypt(key, nonce, header, payload, 8, false);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hexOf(*sealed), "51525354223bc1ec841ab553");

  auto opened = ccmStarDecrypt(key, nonce, header, *sealed, 8, false);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(hexOf(*opened), "51525354");

  Bytes bad = *sealed;
  bad[0] ^= 0x01;  // payload in clear, but authenticated
  EXPECT_EQ(ccmStarDecrypt(key, nonce, header, bad, 8, false).error(), Error::kAuthFailed);
}

TEST(CcmStar, RejectsBadArguments) {
  const auto key = hexArray<16>(kKeyC0);
  const Bytes nonce13 = hex("acde4800000000010000000504");
  const Bytes nonce12 = hex("acde48000000000100000005");
  EXPECT_EQ(ccmStarEncrypt(key, nonce12, {}, hex("61"), 0, true).error(), Error::kInvalidArgs);
  EXPECT_EQ(ccmStarDecrypt(key, nonce12, {}, hex("61"), 0, true).error(), Error::kInvalidArgs);
  // MIC lengths outside {0, 4, 8, 16}.
  EXPECT_EQ(ccmStarEncrypt(key, nonce13, {}, hex("61"), 6, true).error(), Error::kInvalidArgs);
  EXPECT_EQ(ccmStarDecrypt(key, nonce13, {}, hex("6162636465666768"), 12, true).error(),
            Error::kInvalidArgs);
  // Security level 0 is no CCM* transformation.
  EXPECT_EQ(ccmStarEncrypt(key, nonce13, {}, hex("61"), 0, false).error(), Error::kInvalidArgs);
  // Shorter than the MIC.
  EXPECT_EQ(ccmStarDecrypt(key, nonce13, {}, hex("616263"), 4, true).error(), Error::kInvalidArgs);
}

TEST(CcmStar, EncMicRoundTripsAndEncOnlyHasNoIntegrity) {
  const auto key = hexArray<16>(kKeyC0);
  const Bytes nonce = hex("acde4800000000010000000506");
  const Bytes aad = hex("2bdc842143");
  const Bytes payload = hex("000102030405060708090a0b0c0d0e0f1011");
  for (std::size_t mic : {4u, 8u, 16u}) {
    auto sealed = ccmStarEncrypt(key, nonce, aad, payload, mic, true);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->size(), payload.size() + mic);
    auto opened = ccmStarDecrypt(key, nonce, aad, *sealed, mic, true);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, payload);
  }
  // ENC (level 4): a flipped bit decrypts to a flipped bit; nothing detects it.
  auto enc = ccmStarEncrypt(key, nonce, aad, payload, 0, true);
  ASSERT_TRUE(enc.ok());
  (*enc)[3] ^= 0x10;
  auto dec = ccmStarDecrypt(key, nonce, aad, *enc, 0, true);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ((*dec)[3], payload[3] ^ 0x10);
}

}  // namespace
}  // namespace lpm::crypto
