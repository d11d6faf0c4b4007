// Fuzz target for the IEEE 802.15.4 frame codec (lpm::ieee802154::Frame): every input
// is refused with an Error or parsed, and a parsed frame encodes back to exactly the
// input bytes, on-air and plaintext forms alike. Secured frames are also run through
// unsecureFrame (which must fail cleanly for random bytes) and the JSON view.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lpmesh/ieee802154/frame.hpp"
#include "lpmesh/ieee802154/json.hpp"
#include "lpmesh/ieee802154/security.hpp"

namespace {

void checkRoundTrip(const lpm::ieee802154::Frame& f, const std::uint8_t* data, std::size_t size) {
  auto bytes = f.encode();
  if (!bytes || bytes->size() != size || std::memcmp(bytes->data(), data, size) != 0) {
    __builtin_trap();
  }
  // The fixed-buffer encoder gives the same bytes.
  std::uint8_t buf[2048];
  if (size <= sizeof buf) {
    auto n = f.encode(lpm::MutableByteSpan(buf, sizeof buf));
    if (!n || *n != size || std::memcmp(buf, data, size) != 0) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpm::ieee802154;
  const lpm::ByteSpan in(data, size);
  if (auto f = Frame::parse(in)) {
    checkRoundTrip(*f, data, size);
    (void)frameToJson(*f);
    if (f->security) {
      const lpm::crypto::Key128 key{};
      const lpm::Eui64 originator = sourceEui64(*f).value_or(lpm::Eui64{});
      auto nonce = frameNonce(*f->security, originator, 100000);
      if (!nonce) __builtin_trap();  // an ASN was given, so every header has a nonce
      if (auto plain = unsecureFrame(*f, key, *nonce)) {
        // Only possible without a MIC (levels 0 and 4): re-securing gives the input.
        if (lpm::ieee802154::micLength(f->security->level) != 0) __builtin_trap();
        auto again = secureFrame(*plain, key, *nonce);
        if (!again || !(*again == *f)) __builtin_trap();
      }
    }
  }
  if (auto p = Frame::parsePlaintext(in)) checkRoundTrip(*p, data, size);
  lpm::ieee802154::DecodeOptions opt;
  opt.with_fcs = true;
  opt.keys.emplace_back(1, lpm::crypto::Key128{});
  opt.asn = 7;
  (void)decodeToJson(in, opt);
  return 0;
}
