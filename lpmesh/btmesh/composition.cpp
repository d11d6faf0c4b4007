#include "lpmesh/btmesh/composition.hpp"

namespace lpm::btmesh {

Result<CompositionPage0> CompositionPage0::parse(ByteSpan data) {
  ByteReader r(data);
  CompositionPage0 c;
  c.cid = r.u16le();
  c.pid = r.u16le();
  c.vid = r.u16le();
  c.crpl = r.u16le();
  c.features = r.u16le();
  if (!r.ok()) return r.error();
  while (!r.atEnd()) {
    Element e;
    e.location = r.u16le();
    const std::uint8_t num_s = r.u8();
    const std::uint8_t num_v = r.u8();
    for (unsigned i = 0; i < num_s; ++i)
      e.sig_models.push_back(r.u16le());
    for (unsigned i = 0; i < num_v; ++i) {
      ModelId m;
      m.company = r.u16le();
      m.id = r.u16le();
      if (m.company == kSigCompany) r.fail(Error::kMalformed);
      e.vendor_models.push_back(m);
    }
    if (!r.ok()) return r.error();
    c.elements.push_back(std::move(e));
  }
  return c;
}

Result<Bytes> CompositionPage0::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u16le(cid);
  w.u16le(pid);
  w.u16le(vid);
  w.u16le(crpl);
  w.u16le(features);
  for (const Element& e : elements) {
    if (e.sig_models.size() > 0xFF || e.vendor_models.size() > 0xFF) return Error::kTooLong;
    w.u16le(e.location);
    w.u8(static_cast<std::uint8_t>(e.sig_models.size()));
    w.u8(static_cast<std::uint8_t>(e.vendor_models.size()));
    for (std::uint16_t id : e.sig_models)
      w.u16le(id);
    for (const ModelId& m : e.vendor_models) {
      w.u16le(m.company);
      w.u16le(m.id);
    }
  }
  return out;
}

std::uint16_t supportedFeatures(const NodeConfig& config) {
  std::uint16_t f = 0;
  if (config.relay != FeatureState::kNotSupported) f |= kFeatureRelay;
  if (config.proxy != FeatureState::kNotSupported) f |= kFeatureProxy;
  if (config.friend_feature != FeatureState::kNotSupported) f |= kFeatureFriend;
  if (config.low_power != FeatureState::kNotSupported) f |= kFeatureLowPower;
  return f;
}

CompositionPage0 CompositionPage0::describe(const ProductIdentity& product, const Access& access,
                                            const NodeConfig& config) {
  CompositionPage0 c;
  c.cid = product.company_id;
  c.pid = product.product_id;
  c.vid = product.version_id;
  c.crpl = config.replay_list_size;
  c.features = supportedFeatures(config);
  for (std::size_t i = 0; i < access.elementCount(); ++i) {
    const btmesh::Element& src = access.element(i);
    Element e;
    e.location = src.location;
    // §4.2.2.1: SIG models first, then vendor models, each in the order the element holds them.
    for (const auto& m : src.models) {
      if (m->id.isVendor()) {
        e.vendor_models.push_back(m->id);
      } else {
        e.sig_models.push_back(m->id.id);
      }
    }
    c.elements.push_back(std::move(e));
  }
  return c;
}

}  // namespace lpm::btmesh
