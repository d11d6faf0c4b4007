// libFuzzer target: the RFC 9032 enrollment IE decoder. A decoded IE re-encodes to the
// same bytes, except for the reserved bits, which decoding drops.
#include <cstdint>
#include <cstdlib>

#include "lpmesh/sixtisch/enrollment_ie.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan in(data, size);
  auto ie = lpm::sixtisch::EnrollmentIe::parse(in);
  if (!ie) return 0;
  lpm::Bytes out;
  lpm::VectorWriter w(out);
  if (ie->encode(w) != lpm::Error::kNone) std::abort();
  if (out.size() != size) std::abort();
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t mask = i == 0 ? 0xc7 : 0xff;  // byte 0 bits 5..3 are reserved
    if ((out[i] & mask) != (data[i] & mask)) std::abort();
  }
  return 0;
}
