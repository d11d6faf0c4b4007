#include "lpmesh/btmesh/node.hpp"

namespace lpm::btmesh {

KeyStoreLimits Node::limitsOf(const NodeConfig& config) {
  KeyStoreLimits l;
  l.subnets = config.subnet_count;
  l.app_keys = config.app_key_count;
  l.labels = config.label_count;
  return l;
}

Node::Node(const platform::Platform& platform, const NodeConfig& config,
           const NodeProvisioning& provisioning)
    : platform_(platform),
      config_(config),
      provisioning_(provisioning),
      keys_(limitsOf(config)),
      provisioning_error_(installKeys()),
      network_(platform_, config_, keys_),
      rpl_(platform_, config_.replay_list_size),
      lower_(platform_, config_, network_, rpl_),
      upper_(platform_, network_, lower_, keys_),
      access_(platform_, config_, network_, keys_, upper_) {
  network_.setUpper(this);
  if (platform_.ble != nullptr) adv_ = std::make_unique<AdvertisingBearer>(platform_, config_);
}

Node::~Node() = default;

Error Node::installKeys() {
  if (!isUnicast(provisioning_.primary_address)) return Error::kInvalidArgs;
  keys_.setDevKey(provisioning_.dev_key);
  keys_.ivIndex().index = provisioning_.iv_index;
  keys_.ivIndex().update_in_progress = provisioning_.iv_update;
  for (const auto& n : provisioning_.net_keys)
    LPM_TRY(keys_.addNetKey(n.index, n.key));
  for (const auto& a : provisioning_.app_keys) {
    LPM_TRY(keys_.addAppKey(a.index, a.net_index, a.key));
  }
  return Error::kNone;
}

void Node::start() {
  if (started_) return;
  if (access_.elementCount() == 0) (void)access_.addElement();
  access_.setPrimaryAddress(provisioning_.primary_address);
  const Error e = network_.setElements(provisioning_.primary_address,
                                       static_cast<std::uint8_t>(access_.elementCount()));
  if (e != Error::kNone && provisioning_error_ == Error::kNone) provisioning_error_ = e;
  if (adv_ != nullptr) {
    auto id = network_.addInterface(adv_.get());
    if (id.ok()) {
      adv_->attach(&network_, *id);
      const Error s = adv_->start();
      if (s != Error::kNone && provisioning_error_ == Error::kNone) provisioning_error_ = s;
    }
  }
  started_ = true;
  platform::trace(platform_.trace, "btmesh.node", platform::TraceKind::kState, "started");
}

void Node::onNetworkPdu(const NetworkRx& rx) {
  lower_.onNetworkPdu(rx);
}

bool Node::isOwnUnicast(Address address) const {
  return network_.isOwnAddress(address);
}

bool Node::listensTo(Address address) const {
  return access_.listensTo(address) || upper_.controlListensTo(address);
}

}  // namespace lpm::btmesh
