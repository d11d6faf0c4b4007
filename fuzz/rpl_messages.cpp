// Fuzz target for the RPL control message codecs (lpm::rpl::parseMessage): the first
// byte is the ICMPv6 code; any body is rejected with an Error or parsed, and a parsed
// message re-encodes to a body that parses to an equal message.
#include <cstddef>
#include <cstdint>

#include "lpmesh/rpl/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const lpm::ByteSpan body(data + 1, size - 1);
  auto m = lpm::rpl::parseMessage(data[0], body);
  if (!m) return 0;
  auto enc = lpm::rpl::encodeMessage(*m);
  if (!enc) __builtin_trap();
  auto back = lpm::rpl::parseMessage(lpm::rpl::messageCode(*m), *enc);
  if (!back || !(*back == *m)) __builtin_trap();
  return 0;
}
