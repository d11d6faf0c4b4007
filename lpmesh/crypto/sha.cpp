// SHA-256, HMAC-SHA256, HKDF-SHA256 and PBKDF2-HMAC-SHA256 over mbedTLS.
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha256.h>

#include <cassert>
#include <limits>

#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/crypto/detail.hpp"

namespace lpm::crypto {
namespace {

using detail::nonNull;

constexpr std::size_t kSha256Len = 32;

const mbedtls_md_info_t* sha256Info() {
  return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
}

}  // namespace

Digest256 sha256(ByteSpan message) {
  Digest256 out{};
  const int rc = mbedtls_sha256_ret(nonNull(message), message.size(), out.data(), 0);
  assert(rc == 0);
  (void)rc;
  return out;
}

Digest256 hmacSha256(ByteSpan key, ByteSpan message) {
  Digest256 out{};
  const int rc = mbedtls_md_hmac(sha256Info(), nonNull(key), key.size(), nonNull(message),
                                 message.size(), out.data());
  assert(rc == 0);  // only fails on bad parameters or allocation failure
  (void)rc;
  return out;
}

Result<Bytes> hkdfSha256(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t out_len) {
  // RFC 5869 §2.3: L <= 255 * HashLen.
  if (out_len == 0 || out_len > 255 * kSha256Len) return Error::kInvalidArgs;
  Bytes out(out_len);
  // An empty salt is HMAC-keyed with the empty string, which HMAC pads to the same
  // all-zero block as RFC 5869's "HashLen zeros" default.
  const int rc = mbedtls_hkdf(sha256Info(), nonNull(salt), salt.size(), nonNull(ikm), ikm.size(),
                              nonNull(info), info.size(), out.data(), out.size());
  if (rc != 0) return Error::kInvalidArgs;
  return out;
}

Result<Bytes> pbkdf2HmacSha256(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                               std::size_t out_len) {
  if (iterations == 0 || out_len == 0 || out_len > std::numeric_limits<std::uint32_t>::max()) {
    return Error::kInvalidArgs;
  }
  mbedtls_md_context_t md;
  mbedtls_md_init(&md);
  Bytes out(out_len);
  int rc = mbedtls_md_setup(&md, sha256Info(), /*hmac=*/1);
  if (rc == 0) {
    rc = mbedtls_pkcs5_pbkdf2_hmac(&md, nonNull(password), password.size(), nonNull(salt),
                                   salt.size(), iterations, static_cast<std::uint32_t>(out_len),
                                   out.data());
  }
  mbedtls_md_free(&md);
  if (rc != 0) return Error::kInvalidArgs;
  return out;
}

}  // namespace lpm::crypto
