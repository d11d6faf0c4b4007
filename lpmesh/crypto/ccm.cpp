// AES-CCM (RFC 3610) and IEEE 802.15.4 CCM* (802.15.4-2015 Annex B) over mbedTLS.
#include <mbedtls/ccm.h>

#include <algorithm>

#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/crypto/detail.hpp"

namespace lpm::crypto {
namespace {

using detail::nonNull;

// RFC 3610 §2: M in {4, 6, ..., 16}; L in 2..8 gives a 15 - L = 7..13 byte nonce.
bool validCcmMic(std::size_t mic_len) {
  return mic_len >= 4 && mic_len <= 16 && mic_len % 2 == 0;
}
bool validCcmNonce(std::size_t nonce_len) {
  return nonce_len >= 7 && nonce_len <= 13;
}
// 802.15.4-2015 Table 9-6: security levels carry a MIC of 0, 4, 8 or 16 octets.
bool validCcmStarMic(std::size_t mic_len) {
  return mic_len == 0 || mic_len == 4 || mic_len == 8 || mic_len == 16;
}
constexpr std::size_t kCcmStarNonceLen = 13;

Error mapCcmError(int rc) {
  if (rc == 0) return Error::kNone;
  if (rc == MBEDTLS_ERR_CCM_AUTH_FAILED) return Error::kAuthFailed;
  // MBEDTLS_ERR_CCM_BAD_INPUT: a length the format cannot encode (payload too long for L,
  // additional data of 0xFF00 octets or more).
  return Error::kInvalidArgs;
}

// Owns an mbedTLS CCM context keyed with `key`.
class CcmContext {
 public:
  explicit CcmContext(const Key128& key) {
    mbedtls_ccm_init(&ctx_);
    setkey_rc_ = mbedtls_ccm_setkey(&ctx_, MBEDTLS_CIPHER_ID_AES, key.data(), 128);
  }
  ~CcmContext() { mbedtls_ccm_free(&ctx_); }
  CcmContext(const CcmContext&) = delete;
  CcmContext& operator=(const CcmContext&) = delete;

  // Encrypts `in` into out[0, in.size()) and writes the tag after it. `star` selects the
  // CCM* entry point (which also accepts a zero-length tag).
  Result<Bytes> seal(ByteSpan nonce, ByteSpan aad, ByteSpan in, std::size_t mic_len, bool star) {
    if (setkey_rc_ != 0) return Error::kInvalidState;
    Bytes out(in.size() + mic_len);
    unsigned char dummy[1] = {0};
    unsigned char* dst = out.empty() ? dummy : out.data();
    unsigned char* tag = dst + in.size();
    const int rc = star ? mbedtls_ccm_star_encrypt_and_tag(&ctx_, in.size(), nonce.data(),
                                                           nonce.size(), nonNull(aad), aad.size(),
                                                           nonNull(in), dst, tag, mic_len)
                        : mbedtls_ccm_encrypt_and_tag(&ctx_, in.size(), nonce.data(), nonce.size(),
                                                      nonNull(aad), aad.size(), nonNull(in), dst,
                                                      tag, mic_len);
    if (const Error e = mapCcmError(rc); e != Error::kNone) return e;
    return out;
  }

  // Decrypts ciphertext || tag; the plaintext is returned only when the tag verifies.
  Result<Bytes> open(ByteSpan nonce, ByteSpan aad, ByteSpan in_and_tag, std::size_t mic_len,
                     bool star) {
    if (setkey_rc_ != 0) return Error::kInvalidState;
    if (in_and_tag.size() < mic_len) return Error::kInvalidArgs;
    const std::size_t len = in_and_tag.size() - mic_len;
    Bytes out(len);
    unsigned char dummy[1] = {0};
    unsigned char* dst = out.empty() ? dummy : out.data();
    const unsigned char* tag = nonNull(in_and_tag) + len;
    const int rc =
        star ? mbedtls_ccm_star_auth_decrypt(&ctx_, len, nonce.data(), nonce.size(), nonNull(aad),
                                             aad.size(), nonNull(in_and_tag), dst, tag, mic_len)
             : mbedtls_ccm_auth_decrypt(&ctx_, len, nonce.data(), nonce.size(), nonNull(aad),
                                        aad.size(), nonNull(in_and_tag), dst, tag, mic_len);
    if (const Error e = mapCcmError(rc); e != Error::kNone) return e;
    return out;
  }

 private:
  mbedtls_ccm_context ctx_;
  int setkey_rc_ = 0;
};

Bytes concat(ByteSpan a, ByteSpan b) {
  Bytes out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<Bytes> ccmEncrypt(const Key128& key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext,
                         std::size_t mic_len) {
  if (!validCcmNonce(nonce.size()) || !validCcmMic(mic_len)) return Error::kInvalidArgs;
  CcmContext ccm(key);
  return ccm.seal(nonce, aad, plaintext, mic_len, false);
}

Result<Bytes> ccmDecrypt(const Key128& key, ByteSpan nonce, ByteSpan aad,
                         ByteSpan ciphertext_and_mic, std::size_t mic_len) {
  if (!validCcmNonce(nonce.size()) || !validCcmMic(mic_len)) return Error::kInvalidArgs;
  CcmContext ccm(key);
  return ccm.open(nonce, aad, ciphertext_and_mic, mic_len, false);
}

Result<Bytes> ccmStarEncrypt(const Key128& key, ByteSpan nonce13, ByteSpan aad, ByteSpan payload,
                             std::size_t mic_len, bool encrypt) {
  if (nonce13.size() != kCcmStarNonceLen || !validCcmStarMic(mic_len)) return Error::kInvalidArgs;
  // Security level 0 (no MIC, no encryption) is not a CCM* transformation.
  if (!encrypt && mic_len == 0) return Error::kInvalidArgs;
  CcmContext ccm(key);
  if (encrypt) return ccm.seal(nonce13, aad, payload, mic_len, true);
  // 802.15.4-2015 §9.3.4.2 (levels 1-3): the private payload is empty and the whole
  // payload joins the authenticated data a; the payload stays in clear before the MIC.
  const Bytes auth_data = concat(aad, payload);
  auto tag = ccm.seal(nonce13, auth_data, {}, mic_len, true);
  if (!tag) return tag.error();
  return concat(payload, *tag);
}

Result<Bytes> ccmStarDecrypt(const Key128& key, ByteSpan nonce13, ByteSpan aad,
                             ByteSpan payload_and_mic, std::size_t mic_len, bool encrypted) {
  if (nonce13.size() != kCcmStarNonceLen || !validCcmStarMic(mic_len)) return Error::kInvalidArgs;
  if (!encrypted && mic_len == 0) return Error::kInvalidArgs;
  if (payload_and_mic.size() < mic_len) return Error::kInvalidArgs;
  CcmContext ccm(key);
  if (encrypted) return ccm.open(nonce13, aad, payload_and_mic, mic_len, true);
  const ByteSpan payload = payload_and_mic.first(payload_and_mic.size() - mic_len);
  const Bytes auth_data = concat(aad, payload);
  auto empty = ccm.open(nonce13, auth_data, payload_and_mic.last(mic_len), mic_len, true);
  if (!empty) return empty.error();
  return Bytes(payload.begin(), payload.end());
}

}  // namespace lpm::crypto
