#include "lpmesh/btmesh/replay_protection.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "lpmesh/core/bytes.hpp"

namespace lpm::btmesh {

namespace {

std::string slotKey(std::size_t slot) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "btmesh/rpl/%04zx", slot);
  return buf;
}

// src (2) | IV Index (4) | SEQ (3) | SeqAuth (7)
constexpr std::size_t kStoredSize = 16;

}  // namespace

ReplayProtectionList::ReplayProtectionList(const platform::Platform& platform, std::size_t capacity)
    : platform_(platform), entries_(capacity == 0 ? 1 : capacity) {
  if (platform_.settings == nullptr) return;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    auto v = platform_.settings->get(slotKey(i));
    if (!v.ok() || v->size() != kStoredSize) continue;
    ByteReader r(*v);
    ReplayEntry e;
    e.src = r.u16be();
    e.iv_index = r.u32be();
    e.seq = r.u24be();
    e.seq_auth = r.uintBe(7);
    if (r.ok() && isUnicast(e.src)) entries_[i] = e;
  }
}

void ReplayProtectionList::store(std::size_t slot) {
  if (platform_.settings == nullptr) return;
  const ReplayEntry& e = entries_[slot];
  if (e.src == kUnassignedAddress) {
    (void)platform_.settings->remove(slotKey(slot));
    return;
  }
  std::array<std::uint8_t, kStoredSize> buf{};
  ByteWriter w(buf);
  w.u16be(e.src);
  w.u32be(e.iv_index);
  w.u24be(e.seq);
  w.uintBe(e.seq_auth, 7);
  (void)platform_.settings->set(slotKey(slot), buf);
}

const ReplayEntry* ReplayProtectionList::find(Address src) const {
  for (const ReplayEntry& e : entries_) {
    if (e.src == src && src != kUnassignedAddress) return &e;
  }
  return nullptr;
}

ReplayProtectionList::Verdict ReplayProtectionList::check(Address src, std::uint32_t iv_index,
                                                          std::uint32_t seq) const {
  if (const ReplayEntry* e = find(src)) {
    if (iv_index > e->iv_index || (iv_index == e->iv_index && seq > e->seq)) {
      return Verdict::kAccept;
    }
    return Verdict::kReplay;
  }
  return size() < entries_.size() ? Verdict::kAccept : Verdict::kFull;
}

Error ReplayProtectionList::accept(Address src, std::uint32_t iv_index, std::uint32_t seq,
                                   std::optional<std::uint64_t> seq_auth) {
  std::size_t slot = entries_.size();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].src == src) {
      slot = i;
      break;
    }
    if (entries_[i].src == kUnassignedAddress && slot == entries_.size()) slot = i;
  }
  if (slot == entries_.size()) return Error::kNoBufs;
  ReplayEntry& e = entries_[slot];
  if (e.src != src) e = ReplayEntry{src, iv_index, seq, 0};
  if (iv_index > e.iv_index || (iv_index == e.iv_index && seq > e.seq)) {
    e.iv_index = iv_index;
    e.seq = seq;
  }
  if (seq_auth && *seq_auth > e.seq_auth) e.seq_auth = *seq_auth;
  store(slot);
  return Error::kNone;
}

std::optional<std::uint64_t> ReplayProtectionList::lastSeqAuth(Address src) const {
  const ReplayEntry* e = find(src);
  if (e == nullptr || e->seq_auth == 0) return std::nullopt;
  return e->seq_auth;
}

void ReplayProtectionList::onIvIndexChanged(std::uint32_t current) {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    ReplayEntry& e = entries_[i];
    if (e.src != kUnassignedAddress && current > 0 && e.iv_index < current - 1) {
      e = ReplayEntry{};
      store(i);
    }
  }
}

void ReplayProtectionList::clear() {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    entries_[i] = ReplayEntry{};
    store(i);
  }
}

std::size_t ReplayProtectionList::size() const {
  std::size_t n = 0;
  for (const ReplayEntry& e : entries_)
    n += e.src != kUnassignedAddress ? 1 : 0;
  return n;
}

}  // namespace lpm::btmesh
