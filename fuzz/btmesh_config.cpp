// Fuzz target for the foundation model message decoders: Configuration messages
// (config_messages.hpp), the 1.1 bridge and directed forwarding configuration messages
// (foundation_v11_messages.hpp), Health, Generic OnOff and Mesh Private Beacon messages,
// and Composition Data page 0. Any input is refused with an Error or decoded; what decodes
// encodes back to the same octets (the access layer's opcode included).
#include <cstddef>
#include <cstdint>

#include "lpmesh/btmesh/composition.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/foundation_v11_messages.hpp"
#include "lpmesh/btmesh/generic_onoff.hpp"
#include "lpmesh/btmesh/health_server.hpp"
#include "lpmesh/btmesh/private_beacon_server.hpp"

namespace {

void same(lpm::ByteSpan a, const lpm::Bytes& b) {
  if (a.size() != b.size()) __builtin_trap();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) __builtin_trap();
  }
}

template <class V>
void variantRoundTrip(lpm::btmesh::Opcode opcode, lpm::ByteSpan params, lpm::ByteSpan whole) {
  auto m = lpm::btmesh::parseMessageVariant<V>(opcode, params);
  if (!m.ok()) return;
  const lpm::Bytes again =
      std::visit([](const auto& x) { return lpm::btmesh::encodeAccessPayload(x); }, *m);
  same(whole, again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan in(data, size);
  auto access = lpm::btmesh::AccessMessage::parse(in);
  if (access.ok()) {
    // Re-encoding is exact only for the canonical opcode form (a 2-octet opcode is never
    // written for a value that fits one octet; the parser never produces one anyway).
    variantRoundTrip<lpm::btmesh::ConfigMessage>(access->opcode, access->params, in);
    variantRoundTrip<lpm::btmesh::FoundationV11Message>(access->opcode, access->params, in);
    variantRoundTrip<lpm::btmesh::HealthMessage>(access->opcode, access->params, in);
    variantRoundTrip<lpm::btmesh::GenericOnOffMessage>(access->opcode, access->params, in);
    variantRoundTrip<lpm::btmesh::PrivateBeaconMessage>(access->opcode, access->params, in);
  }
  if (auto c = lpm::btmesh::CompositionPage0::parse(in); c.ok()) {
    auto again = c->encode();
    if (!again.ok()) __builtin_trap();
    same(in, *again);
  }
  return 0;
}
