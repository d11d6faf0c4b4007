// Fuzz target for the IPv6-side decoders 6LoWPAN relies on: the datagram walker,
// options headers with the RPL option, the RPL source routing header (RFC 6554),
// neighbour discovery messages with 6LoWPAN-ND options, and the RFC 4944 mesh header.
// The first byte picks the decoder; decoded values must re-encode to an equal value.
#include <cstddef>
#include <cstdint>

#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/ipv6/nd.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/mesh.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpm;
  if (size < 1) return 0;
  const ByteSpan in(data + 1, size - 1);
  const ipv6::Address ref = ipv6::Address::literal("fd00::211:2233:4455:6677");
  switch (data[0] % 6) {
    case 0: {
      auto d = ipv6::Datagram::parse(in);
      if (d && d->upper_offset > in.size()) __builtin_trap();
      break;
    }
    case 1: {
      auto h = ipv6::OptionsHeader::parse(in);
      if (!h) break;
      if (auto rpi = ipv6::RplOption::find(*h)) {
        auto hbh = rpi->buildHopByHop(h->next_header);
        if (!hbh) __builtin_trap();
        auto back = ipv6::OptionsHeader::parse(*hbh);
        if (!back || !(ipv6::RplOption::find(*back).valueOr(ipv6::RplOption{}) == *rpi)) {
          __builtin_trap();
        }
      }
      break;
    }
    case 2: {
      auto s = ipv6::SourceRoutingHeader::parse(in, ref);
      if (!s) break;
      Bytes out;
      VectorWriter w(out);
      if (s->encode(w, ref) != Error::kNone) __builtin_trap();
      auto back = ipv6::SourceRoutingHeader::parse(out, ref);
      if (!back || back->addresses != s->addresses) __builtin_trap();
      break;
    }
    case 3: {
      auto ns = ipv6::NeighborSolicitation::parse(in);
      if (!ns) break;
      Bytes out;
      VectorWriter w(out);
      if (ns->encode(w) != Error::kNone) __builtin_trap();
      auto back = ipv6::NeighborSolicitation::parse(out);
      if (!back || !(back->options == ns->options) || back->target != ns->target) {
        __builtin_trap();
      }
      break;
    }
    case 4: {
      auto ra = ipv6::RouterAdvertisement::parse(in);
      if (!ra) break;
      Bytes out;
      VectorWriter w(out);
      if (ra->encode(w) != Error::kNone) __builtin_trap();
      auto back = ipv6::RouterAdvertisement::parse(out);
      if (!back || !(back->options == ra->options)) __builtin_trap();
      break;
    }
    default: {
      auto m = sixlowpan::MeshHeader::parse(in);
      if (!m) break;
      Bytes out;
      VectorWriter w(out);
      if (m->encode(w) != Error::kNone || out.size() != m->size()) __builtin_trap();
      auto back = sixlowpan::MeshHeader::parse(out);
      if (!back || !(*back == *m)) __builtin_trap();
      break;
    }
  }
  return 0;
}
