// AES-128, AES-CMAC (RFC 4493), AES-CMAC-PRF-128 (RFC 4615) and PBKDF2 over it (Thread
// PSKc vectors).
#include <gtest/gtest.h>

#include "lpmesh/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::crypto {
namespace {

using test::hex;
using test::hexArray;
using test::hexOf;

TEST(Aes128, Fips197AppendixC1) {
  const auto key = hexArray<16>("000102030405060708090a0b0c0d0e0f");
  const auto pt = hexArray<16>("00112233445566778899aabbccddeeff");
  EXPECT_EQ(hexOf(aes128Encrypt(key, pt)), "69c4e0d86a7b0430d8cdb78070b4c55a");
}

struct CmacCase {
  const char* message;
  const char* mac;
};

// RFC 4493 §4, Examples 1-4 (K = 2b7e1516 28aed2a6 abf71588 09cf4f3c).
constexpr CmacCase kRfc4493[] = {
    {"", "bb1d6929e95937287fa37d129b756746"},
    {"6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144f79bdd9dd04a287c"},
    {"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
     "dfa66747de9ae63030ca32611497c827"},
    {"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
     "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "51f0bebf7e3b9d92fc49741779363cfe"},
};

TEST(AesCmac, Rfc4493Examples) {
  const auto key = hexArray<16>("2b7e151628aed2a6abf7158809cf4f3c");
  for (const CmacCase& c : kRfc4493) {
    EXPECT_EQ(hexOf(aesCmac(key, hex(c.message))), c.mac) << "message " << c.message;
  }
}

TEST(AesCmac, DifferentMessagesGiveDifferentTags) {
  const auto key = hexArray<16>("2b7e151628aed2a6abf7158809cf4f3c");
  Bytes m = hex("6bc1bee22e409f96e93d7e117393172a");
  const Block a = aesCmac(key, m);
  m[15] ^= 0x01;
  EXPECT_NE(aesCmac(key, m), a);
}

// RFC 4615 §4: the same 20-byte message under keys of 18, 16 and 10 bytes.
TEST(AesCmacPrf128, Rfc4615Vectors) {
  const Bytes message = hex("000102030405060708090a0b0c0d0e0f10111213");
  EXPECT_EQ(hexOf(aesCmacPrf128(hex("000102030405060708090a0b0c0d0e0fedcb"), message)),
            "84a348a4a45d235babfffc0d2b4da09a");
  EXPECT_EQ(hexOf(aesCmacPrf128(hex("000102030405060708090a0b0c0d0e0f"), message)),
            "980ae87b5f4c9c5214f5b6a8455e4c2d");
  EXPECT_EQ(hexOf(aesCmacPrf128(hex("00010203040506070809"), message)),
            "290d9e112edb09ee141fcf64c0b72f3d");
}

TEST(AesCmacPrf128, SixteenByteKeyIsPlainCmac) {
  const auto key = hexArray<16>("2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes m = hex("6bc1bee22e409f96e93d7e117393172a");
  EXPECT_EQ(aesCmacPrf128(key, m), aesCmac(key, m));
}

// Thread PSKc = PBKDF2(AES-CMAC-PRF-128, passphrase, "Thread" || ExtPANID || NetworkName,
// 16384, 16): tests/vectors/thread/pskc.json.
TEST(Pbkdf2AesCmacPrf128, ThreadPskcVectors) {
  const auto file = lpm::test::loadVectorFile("thread/pskc.json");
  const auto vectors = lpm::test::vectorList(file);
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const Bytes passphrase = lpm::test::hexField(in.at("passphrase_hex"));
    const Bytes salt = lpm::test::hexField(in.at("salt"));
    const auto iterations = in.at("iterations").get<std::uint32_t>();
    const auto dk_len = in.at("dk_len").get<std::size_t>();
    auto pskc = pbkdf2AesCmacPrf128(passphrase, salt, iterations, dk_len);
    ASSERT_TRUE(pskc.ok());
    EXPECT_EQ(hexOf(*pskc), v.at("expected").at("pskc").get<std::string>());
  }
}

TEST(Pbkdf2AesCmacPrf128, OneIterationIsOnePrfCall) {
  // RFC 8018 §5.2 with c = 1: T_1 = PRF(P, S || INT(1)); T_2 = PRF(P, S || INT(2)).
  const Bytes password = hex("00010203040506070809");  // not 16 bytes: key is reduced first
  const Bytes salt = hex("a0a1a2a3");
  auto dk = pbkdf2AesCmacPrf128(password, salt, 1, 20);
  ASSERT_TRUE(dk.ok());
  ASSERT_EQ(dk->size(), 20u);
  const Block t1 = aesCmacPrf128(password, hex("a0a1a2a300000001"));
  const Block t2 = aesCmacPrf128(password, hex("a0a1a2a300000002"));
  EXPECT_TRUE(std::equal(t1.begin(), t1.end(), dk->begin()));
  EXPECT_TRUE(std::equal(t2.begin(), t2.begin() + 4, dk->begin() + 16));
}

TEST(Pbkdf2AesCmacPrf128, RejectsZeroIterationsOrLength) {
  EXPECT_EQ(pbkdf2AesCmacPrf128(hex("00"), hex("01"), 0, 16).error(), Error::kInvalidArgs);
  EXPECT_EQ(pbkdf2AesCmacPrf128(hex("00"), hex("01"), 1, 0).error(), Error::kInvalidArgs);
}

}  // namespace
}  // namespace lpm::crypto
