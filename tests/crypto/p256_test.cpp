// ECDH P-256 with the Bluetooth Mesh provisioning sample keys (Mesh Protocol 1.1
// §8.17.1, tests/vectors/btmesh/provisioning.json) and deterministic key generation.
#include <gtest/gtest.h>

#include "lpmesh/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::crypto {
namespace {

using test::hexArray;
using test::hexOf;

class P256Provisioning : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto file = lpm::test::loadVectorFile("btmesh/provisioning.json");
    const auto vectors = lpm::test::vectorList(file);
    ASSERT_FALSE(vectors.empty());
    const auto& v = vectors.front();
    const auto& in = v.at("inputs");
    const auto& ex = v.at("expected");
    prov_private_ = hexArray<32>(in.at("PrivateKeyProvisioner").get<std::string>());
    dev_private_ = hexArray<32>(in.at("PrivateKeyDevice").get<std::string>());
    prov_public_ = hexArray<64>(ex.at("PublicKeyProvisioner").get<std::string>());
    dev_public_ = hexArray<64>(ex.at("PublicKeyDevice").get<std::string>());
    secret_ = ex.at("ECDHSecret_provisioner").get<std::string>();
    ASSERT_EQ(secret_, ex.at("ECDHSecret_device").get<std::string>());
  }

  std::array<std::uint8_t, 32> prov_private_{};
  std::array<std::uint8_t, 32> dev_private_{};
  std::array<std::uint8_t, 64> prov_public_{};
  std::array<std::uint8_t, 64> dev_public_{};
  std::string secret_;
};

TEST_F(P256Provisioning, PublicKeysFromPrivate) {
  auto prov = p256KeyPairFromPrivate(prov_private_);
  ASSERT_TRUE(prov.ok());
  EXPECT_EQ(prov->private_key, prov_private_);
  EXPECT_EQ(hexOf(prov->public_key), hexOf(prov_public_));
  auto dev = p256KeyPairFromPrivate(dev_private_);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(hexOf(dev->public_key), hexOf(dev_public_));
}

TEST_F(P256Provisioning, BothSidesDeriveTheSampleSecret) {
  auto at_provisioner = p256Ecdh(prov_private_, dev_public_);
  ASSERT_TRUE(at_provisioner.ok());
  EXPECT_EQ(hexOf(*at_provisioner), secret_);
  auto at_device = p256Ecdh(dev_private_, prov_public_);
  ASSERT_TRUE(at_device.ok());
  EXPECT_EQ(hexOf(*at_device), secret_);
}

TEST_F(P256Provisioning, PeerKeyOffTheCurveIsInvalidArgs) {
  auto bad = dev_public_;
  bad[63] ^= 0x01;  // Y no longer satisfies y^2 = x^3 - 3x + b
  EXPECT_EQ(p256Ecdh(prov_private_, bad).error(), Error::kInvalidArgs);
  std::array<std::uint8_t, 64> zero{};
  EXPECT_EQ(p256Ecdh(prov_private_, zero).error(), Error::kInvalidArgs);
}

TEST(P256, PrivateKeyOutOfRangeIsInvalidArgs) {
  const std::array<std::uint8_t, 32> zero{};
  EXPECT_EQ(p256KeyPairFromPrivate(zero).error(), Error::kInvalidArgs);
  // n, the group order, is not a valid private key either.
  const auto n = hexArray<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  EXPECT_EQ(p256KeyPairFromPrivate(n).error(), Error::kInvalidArgs);
  const auto some_public = hexArray<64>(
      "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"
      "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f");
  EXPECT_EQ(p256Ecdh(n, some_public).error(), Error::kInvalidArgs);
}

TEST(P256, GenerationIsDeterministicPerStream) {
  Rng a = Rng::forStream(42, 7, RngStream::kCrypto);
  Rng b = Rng::forStream(42, 7, RngStream::kCrypto);
  Rng c = Rng::forStream(42, 8, RngStream::kCrypto);
  auto ka = p256GenerateKeyPair(a);
  auto kb = p256GenerateKeyPair(b);
  auto kc = p256GenerateKeyPair(c);
  ASSERT_TRUE(ka.ok());
  ASSERT_TRUE(kb.ok());
  ASSERT_TRUE(kc.ok());
  EXPECT_EQ(ka->private_key, kb->private_key);
  EXPECT_EQ(ka->public_key, kb->public_key);
  EXPECT_NE(ka->private_key, kc->private_key);

  // The generated public key is the one derived from the private key.
  auto again = p256KeyPairFromPrivate(ka->private_key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, ka->public_key);

  // Two generated pairs agree on a shared secret.
  auto s1 = p256Ecdh(ka->private_key, kc->public_key);
  auto s2 = p256Ecdh(kc->private_key, ka->public_key);
  ASSERT_TRUE(s1.ok());
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(*s1, *s2);
}

}  // namespace
}  // namespace lpm::crypto
