#include "lpmesh/btmesh/private_beacon_server.hpp"

#include "lpmesh/btmesh/beacon.hpp"

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.prbsrv";
/// Private GATT Proxy / Private Node Identity value for "not supported".
constexpr std::uint8_t kNotSupported = 0x02;
}  // namespace

Result<PrivateBeaconSet> PrivateBeaconSet::parse(ByteSpan params) {
  ByteReader r(params);
  PrivateBeaconSet m;
  m.private_beacon = r.u8();
  if (r.ok() && !r.atEnd()) m.random_update_interval_steps = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void PrivateBeaconSet::encode(Bytes& out) const {
  out.push_back(private_beacon);
  if (random_update_interval_steps) out.push_back(*random_update_interval_steps);
}

Result<PrivateBeaconStatus> PrivateBeaconStatus::parse(ByteSpan params) {
  ByteReader r(params);
  PrivateBeaconStatus m;
  m.private_beacon = r.u8();
  m.random_update_interval_steps = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void PrivateBeaconStatus::encode(Bytes& out) const {
  out.push_back(private_beacon);
  out.push_back(random_update_interval_steps);
}

Result<PrivateNodeIdentitySet> PrivateNodeIdentitySet::parse(ByteSpan params) {
  ByteReader r(params);
  PrivateNodeIdentitySet m;
  m.net_idx = readKeyIndex(r);
  m.private_identity = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void PrivateNodeIdentitySet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(net_idx);
  w.u8(private_identity);
}

Result<PrivateNodeIdentityStatus> PrivateNodeIdentityStatus::parse(ByteSpan params) {
  ByteReader r(params);
  PrivateNodeIdentityStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  m.private_identity = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void PrivateNodeIdentityStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  w.u8(private_identity);
}

Result<PrivateBeaconMessage> parsePrivateBeaconMessage(Opcode opcode, ByteSpan params) {
  return parseMessageVariant<PrivateBeaconMessage>(opcode, params);
}

PrivateBeaconServer::PrivateBeaconServer(const platform::Platform& platform, Access& access,
                                         Network& network, KeyStore& keys, Beacons& beacons)
    : platform_(platform), access_(access), network_(network), keys_(keys), beacons_(beacons) {}

Model& PrivateBeaconServer::attach() {
  return access_.addModel(0, ModelId::sig(kPrivateBeaconServerModelId), this,
                          /*dev_key_only=*/true);
}

bool PrivateBeaconServer::handles(Opcode opcode) const {
  switch (opcode) {
    case op::kPrivateBeaconGet:
    case op::kPrivateBeaconSet:
    case op::kPrivateGattProxyGet:
    case op::kPrivateGattProxySet:
    case op::kPrivateNodeIdentityGet:
    case op::kPrivateNodeIdentitySet:
      return true;
    default:
      return false;
  }
}

void PrivateBeaconServer::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                                    Opcode opcode, ByteSpan params) {
  auto msg = parsePrivateBeaconMessage(opcode, params);
  if (msg.ok() && handle(ctx, *msg)) {
    ++handled_;
  } else {
    ++ignored_;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "ignored");
  }
}

bool PrivateBeaconServer::handle(const MessageContext& ctx, const PrivateBeaconMessage& message) {
  return std::visit(
      [&](const auto& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        auto reply = [&](const auto& status) {
          Bytes out;
          status.encode(out);
          (void)access_.reply(ctx, std::decay_t<decltype(status)>::kOpcode, out);
        };
        if constexpr (std::is_same_v<T, PrivateBeaconGet> || std::is_same_v<T, PrivateBeaconSet>) {
          if constexpr (std::is_same_v<T, PrivateBeaconSet>) {
            if (m.private_beacon > 1) return false;  // prohibited
            beacons_.setPrivateBeacon(
                m.private_beacon == 1,
                m.random_update_interval_steps.value_or(beacons_.randomUpdateIntervalSteps()));
          }
          reply(PrivateBeaconStatus{static_cast<std::uint8_t>(beacons_.privateBeaconEnabled()),
                                    beacons_.randomUpdateIntervalSteps()});
          return true;
        } else if constexpr (std::is_same_v<T, PrivateGattProxyGet> ||
                             std::is_same_v<T, PrivateGattProxySet>) {
          if constexpr (std::is_same_v<T, PrivateGattProxySet>) {
            if (m.value > 1) return false;
          }
          // The private proxy needs the GATT proxy feature (not implemented yet).
          reply(PrivateGattProxyStatus{kNotSupported});
          return true;
        } else if constexpr (std::is_same_v<T, PrivateNodeIdentityGet> ||
                             std::is_same_v<T, PrivateNodeIdentitySet>) {
          if constexpr (std::is_same_v<T, PrivateNodeIdentitySet>) {
            if (m.private_identity > 1) return false;
          }
          const bool known = keys_.subnet(m.net_idx) != nullptr;
          reply(PrivateNodeIdentityStatus{
              known ? ConfigStatus::kSuccess : ConfigStatus::kInvalidNetKeyIndex, m.net_idx,
              known && network_.states().proxy == FeatureState::kNotSupported ? kNotSupported
                                                                              : std::uint8_t{0}});
          return true;
        } else {
          return false;  // statuses are the client's
        }
      },
      message);
}

}  // namespace lpm::btmesh
