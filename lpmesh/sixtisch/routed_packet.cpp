#include "lpmesh/sixtisch/routed_packet.hpp"

#include "lpmesh/sixlowpan/dispatch.hpp"
#include "lpmesh/sixlowpan/lorh.hpp"

namespace lpm::sixtisch {

Result<Bytes> encodeRoutedPacket(const RoutedPacket& packet, const LinkContext& link,
                                 sixlowpan::CompressInfo* info) {
  if (link.contexts == nullptr) return Error::kInvalidArgs;
  Bytes iphc;
  auto ci = sixlowpan::compress(packet.datagram, link.l2_src, link.l2_dst, *link.contexts, iphc);
  if (!ci) return ci.error();
  if (!packet.hasArtefacts()) {
    if (info != nullptr) *info = *ci;
    return iphc;
  }
  std::vector<sixlowpan::Lorh> headers;
  if (!packet.srh.empty()) {
    for (auto& s : sixlowpan::compressSrh(packet.srh, link.root))
      headers.emplace_back(std::move(s));
  }
  if (packet.rpi) headers.emplace_back(sixlowpan::RpiLorh::compact(*packet.rpi));
  if (packet.encapsulator) {
    headers.emplace_back(
        sixlowpan::IpInIpLorh::compact(packet.outer_hop_limit, *packet.encapsulator, link.root));
  }
  auto out = sixlowpan::buildPage1(headers, iphc);
  if (!out) return out.error();
  if (info != nullptr) {
    info->compressed_header_size = out->size() - iphc.size() + ci->compressed_header_size;
    info->uncompressed_header_size = ci->uncompressed_header_size;
  }
  return out;
}

Result<RoutedPacket> decodePage1(ByteSpan payload, const LinkContext& link) {
  if (link.contexts == nullptr) return Error::kInvalidArgs;
  auto page = sixlowpan::parsePage1(payload);
  if (!page) return page.error();
  RoutedPacket p;
  std::vector<sixlowpan::SrhLorh> srhs;
  for (const auto& h : page->headers) {
    if (const auto* s = std::get_if<sixlowpan::SrhLorh>(&h)) {
      srhs.push_back(*s);
    } else if (const auto* r = std::get_if<sixlowpan::RpiLorh>(&h)) {
      p.rpi = r->toRplOption();
    } else if (const auto* t = std::get_if<sixlowpan::IpInIpLorh>(&h)) {
      p.encapsulator = t->expand(link.root);
      p.outer_hop_limit = t->hop_limit;
    }
  }
  if (!srhs.empty()) p.srh = sixlowpan::expandSrh(srhs, link.root);
  if (page->rest.empty() ||
      sixlowpan::classifyDispatch(page->rest[0]) != sixlowpan::DispatchKind::kIphc) {
    return Error::kMalformed;
  }
  auto d = sixlowpan::decompress(page->rest, link.l2_src, link.l2_dst, *link.contexts);
  if (!d) return d.error();
  p.datagram = std::move(d).value();
  return p;
}

}  // namespace lpm::sixtisch
