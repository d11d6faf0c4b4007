// SHA-256 (FIPS 180-4 examples), HMAC-SHA256 (RFC 4231), HKDF (RFC 5869) and
// PBKDF2-HMAC-SHA256 (RFC 7914 §11).
#include <gtest/gtest.h>

#include "lpmesh/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"

namespace lpm::crypto {
namespace {

using test::ascii;
using test::hex;
using test::hexOf;

TEST(Sha256, Fips180Examples) {
  EXPECT_EQ(hexOf(sha256(ascii("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexOf(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hexOf(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

struct HmacCase {
  int number;
  Bytes key;
  Bytes data;
  const char* mac;
};

// RFC 4231 §4: test cases 1-4, 6 and 7 (case 5 is a truncated output).
TEST(HmacSha256, Rfc4231TestCases) {
  const HmacCase cases[] = {
      {1, Bytes(20, 0x0b), ascii("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2, ascii("Jefe"), ascii("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, Bytes(20, 0xaa), Bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {6, Bytes(131, 0xaa), ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, Bytes(131, 0xaa),
       ascii("This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const HmacCase& c : cases) {
    EXPECT_EQ(hexOf(hmacSha256(c.key, c.data)), c.mac) << "RFC 4231 test case " << c.number;
  }
}

struct HkdfCase {
  int number;
  Bytes ikm;
  Bytes salt;
  Bytes info;
  std::size_t length;
  const char* okm;
};

Bytes range(std::uint8_t first, std::size_t count) {
  Bytes b(count);
  for (std::size_t i = 0; i < count; ++i)
    b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

// RFC 5869 Appendix A.1-A.3 (SHA-256).
TEST(HkdfSha256, Rfc5869TestCases) {
  const HkdfCase cases[] = {
      {1, Bytes(22, 0x0b), range(0x00, 13), range(0xf0, 10), 42,
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {2, range(0x00, 80), range(0x60, 80), range(0xb0, 80), 82,
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e"
       "590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {3,
       Bytes(22, 0x0b),
       {},
       {},
       42,
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const HkdfCase& c : cases) {
    auto okm = hkdfSha256(c.salt, c.ikm, c.info, c.length);
    ASSERT_TRUE(okm.ok()) << "RFC 5869 test case " << c.number;
    EXPECT_EQ(hexOf(*okm), c.okm) << "RFC 5869 test case " << c.number;
  }
}

TEST(HkdfSha256, OutputLengthLimits) {
  const Bytes ikm(22, 0x0b);
  auto longest = hkdfSha256({}, ikm, {}, 255 * 32);
  ASSERT_TRUE(longest.ok());
  EXPECT_EQ(longest->size(), 255u * 32u);
  EXPECT_EQ(hkdfSha256({}, ikm, {}, 255 * 32 + 1).error(), Error::kInvalidArgs);
  EXPECT_EQ(hkdfSha256({}, ikm, {}, 0).error(), Error::kInvalidArgs);
}

TEST(Pbkdf2HmacSha256, Rfc7914Section11) {
  auto dk = pbkdf2HmacSha256(ascii("passwd"), ascii("salt"), 1, 64);
  ASSERT_TRUE(dk.ok());
  EXPECT_EQ(hexOf(*dk),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

TEST(Pbkdf2HmacSha256, IterationsChangeTheKeyAndZeroIsRejected) {
  auto one = pbkdf2HmacSha256(ascii("passwd"), ascii("salt"), 1, 32);
  auto two = pbkdf2HmacSha256(ascii("passwd"), ascii("salt"), 2, 32);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(two.ok());
  EXPECT_NE(*one, *two);
  EXPECT_EQ(pbkdf2HmacSha256(ascii("passwd"), ascii("salt"), 0, 32).error(), Error::kInvalidArgs);
  EXPECT_EQ(pbkdf2HmacSha256(ascii("passwd"), ascii("salt"), 1, 0).error(), Error::kInvalidArgs);
}

}  // namespace
}  // namespace lpm::crypto
