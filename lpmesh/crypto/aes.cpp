// AES-128 block, AES-CMAC, AES-CMAC-PRF-128 and PBKDF2 over it (mbedTLS wrappers).
#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/crypto/detail.hpp"

namespace lpm::crypto {
namespace {

using detail::nonNull;

// One AES-128 CMAC context, reused across messages (RFC 4493). PBKDF2 runs thousands
// of CMACs under one key; keeping the cipher context avoids re-keying each time.
class CmacContext {
 public:
  explicit CmacContext(const Key128& key) {
    mbedtls_cipher_init(&ctx_);
    const mbedtls_cipher_info_t* info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    ok_ = info != nullptr && mbedtls_cipher_setup(&ctx_, info) == 0 &&
          mbedtls_cipher_cmac_starts(&ctx_, key.data(), 128) == 0;
  }
  ~CmacContext() { mbedtls_cipher_free(&ctx_); }
  CmacContext(const CmacContext&) = delete;
  CmacContext& operator=(const CmacContext&) = delete;

  bool ok() const { return ok_; }

  /// CMAC of the concatenation of `parts`; the context is ready for the next message after.
  Block mac(std::initializer_list<ByteSpan> parts) {
    Block out{};
    int rc = 0;
    for (ByteSpan p : parts) {
      if (rc == 0 && !p.empty()) rc = mbedtls_cipher_cmac_update(&ctx_, p.data(), p.size());
    }
    if (rc == 0) rc = mbedtls_cipher_cmac_finish(&ctx_, out.data());
    if (rc == 0) rc = mbedtls_cipher_cmac_reset(&ctx_);
    assert(rc == 0);
    (void)rc;
    return out;
  }

 private:
  mbedtls_cipher_context_t ctx_;
  bool ok_ = false;
};

// RFC 4615 §3 step 1: a key that is not 128 bits is first reduced with CMAC under the
// all-zero key.
Key128 prfKey(ByteSpan key) {
  Key128 k{};
  if (key.size() == k.size()) {
    std::copy(key.begin(), key.end(), k.begin());
    return k;
  }
  return aesCmac(Key128{}, key);
}

}  // namespace

Block aes128Encrypt(const Key128& key, const Block& in) {
  mbedtls_aes_context ctx;
  mbedtls_aes_init(&ctx);
  Block out{};
  int rc = mbedtls_aes_setkey_enc(&ctx, key.data(), 128);
  if (rc == 0) rc = mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, in.data(), out.data());
  mbedtls_aes_free(&ctx);
  assert(rc == 0);  // cannot fail with a 128-bit key
  (void)rc;
  return out;
}

Block aesCmac(const Key128& key, ByteSpan message) {
  Block out{};
  const mbedtls_cipher_info_t* info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
  const int rc =
      mbedtls_cipher_cmac(info, key.data(), 128, nonNull(message), message.size(), out.data());
  assert(rc == 0);  // only fails on bad parameters or allocation failure
  (void)rc;
  return out;
}

Block aesCmacPrf128(ByteSpan key, ByteSpan message) {
  Block out{};
  const int rc = mbedtls_aes_cmac_prf_128(nonNull(key), key.size(), nonNull(message),
                                          message.size(), out.data());
  assert(rc == 0);  // only fails on null pointers or allocation failure
  (void)rc;
  return out;
}

Result<Bytes> pbkdf2AesCmacPrf128(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                                  std::size_t out_len) {
  constexpr std::size_t kHLen = 16;
  // RFC 8018 §5.2: dkLen <= (2^32 - 1) * hLen; a zero count or length is meaningless.
  if (iterations == 0 || out_len == 0 ||
      out_len > std::size_t{std::numeric_limits<std::uint32_t>::max()} * kHLen) {
    return Error::kInvalidArgs;
  }
  // The PRF's key is the password; reducing it once (RFC 4615 §3 step 1) gives the same
  // PRF as reducing it on every call.
  CmacContext cmac(prfKey(password));
  if (!cmac.ok()) return Error::kInvalidState;

  Bytes out(out_len);
  std::size_t done = 0;
  for (std::uint32_t block_index = 1; done < out_len; ++block_index) {
    // RFC 8018 §5.2 F(P, S, c, i) = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT_32_BE(i)).
    const std::uint8_t be_index[4] = {
        static_cast<std::uint8_t>(block_index >> 24), static_cast<std::uint8_t>(block_index >> 16),
        static_cast<std::uint8_t>(block_index >> 8), static_cast<std::uint8_t>(block_index)};
    Block u = cmac.mac({salt, ByteSpan(be_index)});
    Block t = u;
    for (std::uint32_t j = 1; j < iterations; ++j) {
      u = cmac.mac({ByteSpan(u)});
      for (std::size_t k = 0; k < kHLen; ++k)
        t[k] ^= u[k];
    }
    const std::size_t take = std::min(kHLen, out_len - done);
    std::copy_n(t.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += take;
  }
  return out;
}

}  // namespace lpm::crypto
