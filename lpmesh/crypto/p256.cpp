// ECDH over NIST P-256 (SEC 1 / SP 800-56A) with mbedTLS; keys as raw big-endian X || Y.
#include <mbedtls/bignum.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>

#include <algorithm>

#include "lpmesh/crypto/crypto.hpp"

namespace lpm::crypto {
namespace {

constexpr std::size_t kScalarLen = 32;
constexpr std::size_t kPointLen = 64;
// SEC 1 §2.3.3 uncompressed point tag.
constexpr unsigned char kUncompressed = 0x04;

// mbedTLS's f_rng callback over a deterministic lpm::Rng, so that a node's key pair
// depends only on the scenario seed (DESIGN.md "Determinism").
int rngCallback(void* ctx, unsigned char* out, std::size_t len) {
  static_cast<Rng*>(ctx)->fill({out, len});
  return 0;
}

// The P-256 group plus scratch values, freed on scope exit.
struct P256 {
  P256() {
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&z);
    ok = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0;
  }
  ~P256() {
    mbedtls_mpi_free(&z);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
  }
  P256(const P256&) = delete;
  P256& operator=(const P256&) = delete;

  // Q = d * G and both written out as a key pair; the private key must be valid.
  Result<P256KeyPair> keyPair(int (*f_rng)(void*, unsigned char*, std::size_t), void* p_rng) {
    if (mbedtls_ecp_mul(&grp, &q, &d, &grp.G, f_rng, p_rng) != 0) return Error::kInvalidArgs;
    P256KeyPair kp;
    std::array<unsigned char, 1 + kPointLen> raw{};
    std::size_t olen = 0;
    if (mbedtls_mpi_write_binary(&d, kp.private_key.data(), kScalarLen) != 0 ||
        mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, raw.data(),
                                       raw.size()) != 0 ||
        olen != raw.size()) {
      return Error::kInvalidState;
    }
    std::copy(raw.begin() + 1, raw.end(), kp.public_key.begin());
    return kp;
  }

  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  mbedtls_mpi d;
  mbedtls_mpi z;
  bool ok = false;
};

// mbedTLS blinds the scalar multiplication with random values that do not change the
// result; a fixed-seed stream keeps even those draws reproducible.
struct BlindingRng {
  Rng rng{0x6c706d2d626c6e64ULL};
};

}  // namespace

Result<P256KeyPair> p256GenerateKeyPair(Rng& rng) {
  P256 ec;
  if (!ec.ok) return Error::kInvalidState;
  // Rejection sampling in [1, n - 1] (FIPS 186-4 B.4.2) driven by the node's stream.
  if (mbedtls_ecp_gen_privkey(&ec.grp, &ec.d, rngCallback, &rng) != 0) return Error::kInvalidState;
  // Blinding draws come from a separate stream, so the node's stream advances only by
  // what the private key took.
  BlindingRng blinding;
  return ec.keyPair(rngCallback, &blinding.rng);
}

Result<P256KeyPair> p256KeyPairFromPrivate(std::span<const std::uint8_t, 32> private_key) {
  P256 ec;
  if (!ec.ok) return Error::kInvalidState;
  if (mbedtls_mpi_read_binary(&ec.d, private_key.data(), private_key.size()) != 0 ||
      mbedtls_ecp_check_privkey(&ec.grp, &ec.d) != 0) {
    return Error::kInvalidArgs;
  }
  BlindingRng blinding;
  return ec.keyPair(rngCallback, &blinding.rng);
}

Result<std::array<std::uint8_t, 32>> p256Ecdh(std::span<const std::uint8_t, 32> private_key,
                                              std::span<const std::uint8_t, 64> peer_public) {
  P256 ec;
  if (!ec.ok) return Error::kInvalidState;
  if (mbedtls_mpi_read_binary(&ec.d, private_key.data(), private_key.size()) != 0 ||
      mbedtls_ecp_check_privkey(&ec.grp, &ec.d) != 0) {
    return Error::kInvalidArgs;
  }
  std::array<unsigned char, 1 + kPointLen> raw{};
  raw[0] = kUncompressed;
  std::copy(peer_public.begin(), peer_public.end(), raw.begin() + 1);
  // read_binary does not check the curve equation; check_pubkey does (SP 800-56A
  // §5.6.2.3.4 partial validation), which stops invalid-curve attacks.
  if (mbedtls_ecp_point_read_binary(&ec.grp, &ec.q, raw.data(), raw.size()) != 0 ||
      mbedtls_ecp_check_pubkey(&ec.grp, &ec.q) != 0) {
    return Error::kInvalidArgs;
  }
  BlindingRng blinding;
  if (mbedtls_ecdh_compute_shared(&ec.grp, &ec.z, &ec.q, &ec.d, rngCallback, &blinding.rng) != 0) {
    return Error::kInvalidArgs;
  }
  std::array<std::uint8_t, 32> secret{};
  if (mbedtls_mpi_write_binary(&ec.z, secret.data(), secret.size()) != 0) {
    return Error::kInvalidState;
  }
  return secret;
}

}  // namespace lpm::crypto
