#include "lpmesh/btmesh/keys.hpp"

#include <algorithm>

namespace lpm::btmesh {

NetKeyMaterial NetKeyMaterial::derive(const Key& net_key) {
  NetKeyMaterial m;
  m.net_key = net_key;
  m.flooding = floodingMaterial(net_key);
  m.directed = directedMaterial(net_key);
  m.network_id = networkId(net_key);
  m.identity_key = identityKey(net_key);
  m.beacon_key = beaconKey(net_key);
  m.private_beacon_key = privateBeaconKey(net_key);
  return m;
}

Subnet* KeyStore::findSubnet(NetKeyIndex net_idx) {
  for (auto& s : subnets_) {
    if (s.net_idx == net_idx) return &s;
  }
  return nullptr;
}

const Subnet* KeyStore::subnet(NetKeyIndex net_idx) const {
  return const_cast<KeyStore*>(this)->findSubnet(net_idx);
}

AppKey* KeyStore::findAppKey(AppKeyIndex app_idx) {
  for (auto& a : app_keys_) {
    if (a.app_idx == app_idx) return &a;
  }
  return nullptr;
}

const AppKey* KeyStore::appKey(AppKeyIndex app_idx) const {
  return const_cast<KeyStore*>(this)->findAppKey(app_idx);
}

Error KeyStore::addNetKey(NetKeyIndex net_idx, const Key& key) {
  if (net_idx > kMaxKeyIndex) return Error::kInvalidArgs;
  if (const Subnet* s = findSubnet(net_idx)) {
    return s->keys[0].net_key == key ? Error::kNone : Error::kAlreadyExists;
  }
  if (subnets_.size() >= limits_.subnets) return Error::kNoBufs;
  Subnet s;
  s.net_idx = net_idx;
  s.keys[0] = NetKeyMaterial::derive(key);
  subnets_.push_back(s);
  ++version_;
  return Error::kNone;
}

Error KeyStore::updateNetKey(NetKeyIndex net_idx, const Key& key) {
  Subnet* s = findSubnet(net_idx);
  if (s == nullptr) return Error::kNotFound;
  if (s->phase == KeyRefreshPhase::kPhase1) {
    // §4.3.2.38: a repeated NetKey Update with the same key in phase 1 succeeds.
    return s->keys[1].net_key == key ? Error::kNone : Error::kInvalidState;
  }
  if (s->phase != KeyRefreshPhase::kNormal) return Error::kInvalidState;
  s->keys[1] = NetKeyMaterial::derive(key);
  s->phase = KeyRefreshPhase::kPhase1;
  rederiveFriendships(net_idx);
  ++version_;
  return Error::kNone;
}

Error KeyStore::deleteNetKey(NetKeyIndex net_idx) {
  auto it = std::find_if(subnets_.begin(), subnets_.end(),
                         [&](const Subnet& s) { return s.net_idx == net_idx; });
  if (it == subnets_.end()) return Error::kNotFound;
  subnets_.erase(it);
  std::erase_if(app_keys_, [&](const AppKey& a) { return a.net_idx == net_idx; });
  std::erase_if(friendships_, [&](const FriendshipCredentials& f) { return f.net_idx == net_idx; });
  ++version_;
  return Error::kNone;
}

Error KeyStore::setKeyRefreshPhase(NetKeyIndex net_idx, KeyRefreshPhase phase) {
  Subnet* s = findSubnet(net_idx);
  if (s == nullptr) return Error::kNotFound;
  if (phase == s->phase) return Error::kNone;
  if (phase == KeyRefreshPhase::kPhase2 && s->phase == KeyRefreshPhase::kPhase1) {
    s->phase = KeyRefreshPhase::kPhase2;
  } else if (phase == KeyRefreshPhase::kPhase3 && s->hasNewKey()) {
    // Revoke the old keys: the new ones become the only ones (§3.11.4.3).
    s->keys[0] = s->keys[1];
    s->keys[1] = NetKeyMaterial{};
    s->phase = KeyRefreshPhase::kNormal;
    for (auto& a : app_keys_) {
      if (a.net_idx != net_idx || !a.has_new) continue;
      a.keys[0] = a.keys[1];
      a.aid[0] = a.aid[1];
      a.has_new = false;
    }
  } else {
    return Error::kInvalidState;
  }
  rederiveFriendships(net_idx);
  ++version_;
  return Error::kNone;
}

Error KeyStore::addAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx, const Key& key) {
  if (app_idx > kMaxKeyIndex) return Error::kInvalidArgs;
  if (findSubnet(net_idx) == nullptr) return Error::kNotFound;
  if (const AppKey* a = findAppKey(app_idx)) {
    return a->net_idx == net_idx && a->keys[0] == key ? Error::kNone : Error::kAlreadyExists;
  }
  if (app_keys_.size() >= limits_.app_keys) return Error::kNoBufs;
  AppKey a;
  a.app_idx = app_idx;
  a.net_idx = net_idx;
  a.keys[0] = key;
  a.aid[0] = applicationKeyId(key);
  app_keys_.push_back(a);
  ++version_;
  return Error::kNone;
}

Error KeyStore::updateAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx, const Key& key) {
  AppKey* a = findAppKey(app_idx);
  if (a == nullptr) return Error::kNotFound;
  if (a->net_idx != net_idx) return Error::kInvalidArgs;
  const Subnet* s = findSubnet(net_idx);
  if (s == nullptr || s->phase != KeyRefreshPhase::kPhase1) return Error::kInvalidState;
  if (a->has_new) return a->keys[1] == key ? Error::kNone : Error::kInvalidState;
  a->keys[1] = key;
  a->aid[1] = applicationKeyId(key);
  a->has_new = true;
  ++version_;
  return Error::kNone;
}

Error KeyStore::deleteAppKey(AppKeyIndex app_idx, NetKeyIndex net_idx) {
  auto it = std::find_if(app_keys_.begin(), app_keys_.end(),
                         [&](const AppKey& a) { return a.app_idx == app_idx; });
  if (it == app_keys_.end()) return Error::kNotFound;
  if (it->net_idx != net_idx) return Error::kInvalidArgs;
  app_keys_.erase(it);
  ++version_;
  return Error::kNone;
}

Result<KeyStore::AppTxKey> KeyStore::appTxKey(AppKeyIndex app_idx) const {
  const AppKey* a = appKey(app_idx);
  if (a == nullptr) return Error::kNotFound;
  const Subnet* s = subnet(a->net_idx);
  if (s == nullptr) return Error::kNotFound;
  // §3.11.4.2: from phase 2 the new AppKey values are used to transmit.
  const std::size_t slot = (s->phase == KeyRefreshPhase::kPhase2 && a->has_new) ? 1 : 0;
  return AppTxKey{&a->keys[slot], a->aid[slot]};
}

Error KeyStore::setRemoteDevKey(Address address, const Key& key) {
  for (auto& [addr, k] : remote_dev_keys_) {
    if (addr == address) {
      k = key;
      return Error::kNone;
    }
  }
  if (remote_dev_keys_.size() >= limits_.remote_dev_keys) return Error::kNoBufs;
  remote_dev_keys_.emplace_back(address, key);
  return Error::kNone;
}

const Key* KeyStore::remoteDevKey(Address address) const {
  for (const auto& [addr, k] : remote_dev_keys_) {
    if (addr == address) return &k;
  }
  return nullptr;
}

Result<std::uint16_t> KeyStore::addFriendship(NetKeyIndex net_idx, const FriendshipParams& params) {
  const Subnet* s = findSubnet(net_idx);
  if (s == nullptr) return Error::kNotFound;
  if (friendships_.size() >= limits_.friendships) return Error::kNoBufs;
  FriendshipCredentials f;
  f.id = next_friendship_id_++;
  if (next_friendship_id_ == 0) next_friendship_id_ = 1;
  f.net_idx = net_idx;
  f.params = params;
  f.material[0] = friendshipMaterial(s->keys[0].net_key, params);
  if (s->hasNewKey()) f.material[1] = friendshipMaterial(s->keys[1].net_key, params);
  friendships_.push_back(f);
  ++version_;
  return f.id;
}

void KeyStore::removeFriendship(std::uint16_t id) {
  if (std::erase_if(friendships_, [&](const FriendshipCredentials& f) { return f.id == id; }) > 0)
    ++version_;
}

const FriendshipCredentials* KeyStore::friendship(std::uint16_t id) const {
  for (const auto& f : friendships_) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

void KeyStore::rederiveFriendships(NetKeyIndex net_idx) {
  const Subnet* s = findSubnet(net_idx);
  if (s == nullptr) return;
  for (auto& f : friendships_) {
    if (f.net_idx != net_idx) continue;
    f.material[0] = friendshipMaterial(s->keys[0].net_key, f.params);
    f.material[1] =
        s->hasNewKey() ? friendshipMaterial(s->keys[1].net_key, f.params) : SecurityMaterial{};
  }
}

Result<Address> KeyStore::addLabel(const LabelUuid& uuid) {
  for (auto& l : labels_) {
    if (l.uuid == uuid) {
      ++l.refs;
      return l.address;
    }
  }
  if (labels_.size() >= limits_.labels) return Error::kNoBufs;
  labels_.push_back(VirtualLabel{uuid, virtualAddress(uuid), 1});
  ++version_;
  return labels_.back().address;
}

Error KeyStore::releaseLabel(const LabelUuid& uuid) {
  for (auto it = labels_.begin(); it != labels_.end(); ++it) {
    if (it->uuid != uuid) continue;
    if (--it->refs == 0) {
      labels_.erase(it);
      ++version_;
    }
    return Error::kNone;
  }
  return Error::kNotFound;
}

const VirtualLabel* KeyStore::findLabel(const LabelUuid& uuid) const {
  for (const auto& l : labels_) {
    if (l.uuid == uuid) return &l;
  }
  return nullptr;
}

}  // namespace lpm::btmesh
