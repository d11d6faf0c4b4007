#include "lpmesh/ieee802154/tsch_schedule.hpp"

#include <algorithm>

namespace lpm::ieee802154 {

TschSchedule TschSchedule::minimal(std::uint16_t size, std::size_t max_slotframes,
                                   std::size_t max_links) {
  TschSchedule s(max_slotframes, max_links);
  if (size == 0 || s.addSlotframe(0, size) != Error::kNone) return s;
  TschLink cell;
  cell.options = kMinimalCellOptions;
  cell.type = TschLinkType::kAdvertising;
  (void)s.addLink(0, cell);
  return s;
}

TschSlotframe* TschSchedule::findMutable(std::uint8_t handle) {
  for (TschSlotframe& sf : slotframes_) {
    if (sf.handle == handle) return &sf;
  }
  return nullptr;
}

const TschSlotframe* TschSchedule::find(std::uint8_t handle) const {
  for (const TschSlotframe& sf : slotframes_) {
    if (sf.handle == handle) return &sf;
  }
  return nullptr;
}

std::size_t TschSchedule::linkCount() const {
  std::size_t n = 0;
  for (const TschSlotframe& sf : slotframes_)
    n += sf.links.size();
  return n;
}

Error TschSchedule::addSlotframe(std::uint8_t handle, std::uint16_t size) {
  if (size == 0) return Error::kInvalidArgs;
  if (find(handle) != nullptr) return Error::kAlreadyExists;
  if (slotframes_.size() >= max_slotframes_) return Error::kNoBufs;
  TschSlotframe sf;
  sf.handle = handle;
  sf.size = size;
  const auto pos = std::find_if(slotframes_.begin(), slotframes_.end(),
                                [&](const TschSlotframe& s) { return s.handle > handle; });
  slotframes_.insert(pos, std::move(sf));
  return Error::kNone;
}

Error TschSchedule::removeSlotframe(std::uint8_t handle) {
  const auto n =
      std::erase_if(slotframes_, [&](const TschSlotframe& s) { return s.handle == handle; });
  return n == 0 ? Error::kNotFound : Error::kNone;
}

Error TschSchedule::addLink(std::uint8_t handle, const TschLink& link) {
  TschSlotframe* sf = findMutable(handle);
  if (sf == nullptr) return Error::kNotFound;
  if (link.timeslot >= sf->size || (link.options & (kLinkTx | kLinkRx)) == 0) {
    return Error::kInvalidArgs;
  }
  for (const TschLink& l : sf->links) {
    if (l.timeslot == link.timeslot && l.channel_offset == link.channel_offset &&
        l.neighbor == link.neighbor) {
      return Error::kAlreadyExists;
    }
  }
  if (linkCount() >= max_links_) return Error::kNoBufs;
  const auto pos = std::find_if(sf->links.begin(), sf->links.end(), [&](const TschLink& l) {
    return l.timeslot > link.timeslot ||
           (l.timeslot == link.timeslot && l.channel_offset > link.channel_offset);
  });
  sf->links.insert(pos, link);
  return Error::kNone;
}

Error TschSchedule::removeLink(std::uint8_t handle, std::uint16_t timeslot,
                               std::uint16_t channel_offset) {
  TschSlotframe* sf = findMutable(handle);
  if (sf == nullptr) return Error::kNotFound;
  const auto n = std::erase_if(sf->links, [&](const TschLink& l) {
    return l.timeslot == timeslot && l.channel_offset == channel_offset;
  });
  return n == 0 ? Error::kNotFound : Error::kNone;
}

TschSlotframeLinkIe TschSchedule::toIe() const {
  TschSlotframeLinkIe ie;
  for (const TschSlotframe& sf : slotframes_) {
    SlotframeInfo info;
    info.handle = sf.handle;
    info.size = sf.size;
    for (const TschLink& l : sf.links) {
      // Dedicated links name a neighbour the IE cannot carry: only links for anyone
      // are advertised to joining nodes.
      if (l.neighbor) continue;
      info.links.push_back(LinkInfo{l.timeslot, l.channel_offset, l.options});
    }
    ie.slotframes.push_back(std::move(info));
  }
  return ie;
}

Result<TschSchedule> TschSchedule::fromIe(const TschSlotframeLinkIe& ie, std::size_t max_slotframes,
                                          std::size_t max_links) {
  TschSchedule s(max_slotframes, max_links);
  for (const SlotframeInfo& info : ie.slotframes) {
    LPM_TRY(s.addSlotframe(info.handle, info.size));
    for (const LinkInfo& li : info.links) {
      TschLink l;
      l.timeslot = li.timeslot;
      l.channel_offset = li.channel_offset;
      l.options = li.options;
      // The IE carries no link type; a shared TX link is where EBs can go (RFC 8180 §4.1).
      l.type = (li.options & (kLinkTx | kLinkShared)) == (kLinkTx | kLinkShared)
                   ? TschLinkType::kAdvertising
                   : TschLinkType::kNormal;
      LPM_TRY(s.addLink(info.handle, l));
    }
  }
  return s;
}

}  // namespace lpm::ieee802154
