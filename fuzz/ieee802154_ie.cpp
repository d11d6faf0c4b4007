// Fuzz target for the IEEE 802.15.4 IE lists (lpm::ieee802154 parseHeaderIeList /
// parsePayloadIeList): a list is refused with an Error or parsed, and re-encoding the
// parsed IEs (plus the termination seen) gives back exactly the bytes consumed.
#include "lpmesh/ieee802154/ie.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpm::ieee802154;
  const lpm::ByteSpan in(data, size);
  {
    std::vector<HeaderIe> ies;
    HeaderTermination term = HeaderTermination::kAuto;
    if (auto n = parseHeaderIeList(in, ies, term)) {
      if (*n > size) __builtin_trap();
      lpm::Bytes out;
      lpm::VectorWriter w(out);
      for (const HeaderIe& ie : ies) {
        if (encodeHeaderIe(w, ie) != lpm::Error::kNone) __builtin_trap();
      }
      if (term != HeaderTermination::kNone &&
          encodeHeaderTermination(w, term) != lpm::Error::kNone) {
        __builtin_trap();
      }
      if (out.size() != *n || std::memcmp(out.data(), data, *n) != 0) __builtin_trap();
    }
  }
  {
    std::vector<PayloadIe> ies;
    bool terminated = false;
    if (auto n = parsePayloadIeList(in, ies, terminated)) {
      if (*n > size) __builtin_trap();
      lpm::Bytes out;
      lpm::VectorWriter w(out);
      for (const PayloadIe& ie : ies) {
        if (encodePayloadIe(w, ie) != lpm::Error::kNone) __builtin_trap();
      }
      if (terminated && encodePayloadTermination(w) != lpm::Error::kNone) __builtin_trap();
      if (out.size() != *n || std::memcmp(out.data(), data, *n) != 0) __builtin_trap();
    }
  }
  // The nested MLME content on its own.
  if (auto m = parseMlmeContent(in)) {
    lpm::Bytes out;
    lpm::VectorWriter w(out);
    for (const MlmeSubIe& sub : m->sub_ies) {
      if (encodeMlmeSubIe(w, sub) != lpm::Error::kNone) __builtin_trap();
    }
    if (out.size() != size || std::memcmp(out.data(), data, size) != 0) __builtin_trap();
  }
  return 0;
}
