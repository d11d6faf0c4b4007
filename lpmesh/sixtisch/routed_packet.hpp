// An IPv6 packet inside the RPL domain and its RFC 8138 form (RFC 8180 §5.4: the RPI,
// the source routing header and the outer header of IPv6-in-IPv6 MUST be compressed
// with 6LoRH under the RFC 8025 page-1 dispatch).
//
// The packet is kept as the end-to-end datagram plus its RPL artefacts:
//  - rpi: the RPL Packet Information (RFC 6553);
//  - srh: the hops still to visit, the last one the final destination (RFC 6554 / the
//    SRH-6LoRH of RFC 8138 §5, compressed against the DODAG root for the first hop and
//    each hop against the previous one);
//  - encapsulator: when the root tunnels a packet it did not originate (RFC 9008 §7),
//    the outer source (the IP-in-IP-6LoRH, RFC 8138 §7; elided when it is the root).
// On air: 0xF1, the SRH-6LoRHs, the RPI-6LoRH, the IP-in-IP-6LoRH, then the IPHC of the
// datagram (the order of the rfc8138-6lorh.json vector). A node forwarding the packet
// decodes it, updates the artefacts and encodes it again for the next link, since IPHC
// derives addresses from the link-layer addresses of each hop.
#pragma once

#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/sixlowpan/context.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"
#include "lpmesh/sixlowpan/link_address.hpp"

namespace lpm::sixtisch {

struct RoutedPacket {
  Bytes datagram;  ///< the whole end-to-end IPv6 datagram
  std::optional<ipv6::RplOption> rpi;
  std::vector<ipv6::Address> srh;
  std::optional<ipv6::Address> encapsulator;
  std::uint8_t outer_hop_limit = 64;

  /// Whether the packet needs the page-1 form (it carries an RPL artefact).
  bool hasArtefacts() const { return rpi || !srh.empty() || encapsulator; }
};

/// The link a frame crosses: the link-layer addresses IPHC works with and the address
/// 6LoRH compression refers to (the DODAG root).
struct LinkContext {
  sixlowpan::LinkAddress l2_src;
  sixlowpan::LinkAddress l2_dst;
  const sixlowpan::ContextTable* contexts = nullptr;
  ipv6::Address root;
};

/// The 6LoWPAN payload of a packet: the page-1 form when it has RPL artefacts, plain
/// LOWPAN_IPHC otherwise. `info` receives the IPHC header sizes (for fragmentation of
/// the plain form). Errors: those of IPHC compression; kInvalidArgs for an SRH over 32
/// hops per 6LoRH run or an unencodable 6LoRH.
Result<Bytes> encodeRoutedPacket(const RoutedPacket& packet, const LinkContext& link,
                                 sixlowpan::CompressInfo* info = nullptr);

/// Reads a page-1 payload (starting with 0xF1). kMalformed without the dispatch or when
/// no LOWPAN_IPHC follows the 6LoRHs; errors of the 6LoRH and IPHC decoders otherwise.
/// Elective 6LoRHs other than IP-in-IP are skipped (RFC 8138 §4.2).
Result<RoutedPacket> decodePage1(ByteSpan payload, const LinkContext& link);

}  // namespace lpm::sixtisch
