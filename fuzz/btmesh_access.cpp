// Fuzz target for the Bluetooth Mesh Access message format (Mesh 1.1 §3.7.3): arbitrary
// octets are rejected with an Error (RFU opcode, truncated opcode) or decode to an opcode
// and parameters that encode back to exactly the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "lpmesh/btmesh/access.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan message(data, size);
  auto parsed = lpm::btmesh::AccessMessage::parse(message);
  if (!parsed.ok()) return 0;
  if (lpm::btmesh::opcodeSize(parsed->opcode) == 0) __builtin_trap();
  if (parsed->params.size() + lpm::btmesh::opcodeSize(parsed->opcode) != size) __builtin_trap();
  lpm::Bytes encoded;
  if (parsed->encode(encoded) != lpm::Error::kNone) __builtin_trap();
  if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) {
    __builtin_trap();
  }
  return 0;
}
