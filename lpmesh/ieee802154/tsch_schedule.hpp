// TSCH schedule (15.4-2015 §6.2.6.2, §8.4.3.2 macSlotframeTable / macLinkTable; RFC 8180
// §4.1): slotframes by handle, links with their options, the minimal schedule, and the
// arithmetic that finds the next slot in which a node has anything to do, so that idle
// slots cost nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/ieee802154/ie.hpp"

namespace lpm::ieee802154 {

/// macLinkType (15.4-2015 Table 8-92).
enum class TschLinkType : std::uint8_t {
  kNormal = 0,
  kAdvertising = 1,  ///< EBs may be sent in this link (RFC 8180 §4.1: the minimal cell)
};

/// One link (cell) of a slotframe.
struct TschLink {
  std::uint16_t timeslot = 0;
  std::uint16_t channel_offset = 0;
  std::uint8_t options = 0;  ///< kLinkTx | kLinkRx | kLinkShared | kLinkTimekeeping | kLinkPriority
  TschLinkType type = TschLinkType::kNormal;
  /// The neighbour a dedicated link is for; empty = any neighbour (and broadcast).
  std::optional<Eui64> neighbor;

  bool tx() const { return (options & kLinkTx) != 0; }
  bool rx() const { return (options & kLinkRx) != 0; }
  bool shared() const { return (options & kLinkShared) != 0; }
  bool timekeeping() const { return (options & kLinkTimekeeping) != 0; }
  bool priority() const { return (options & kLinkPriority) != 0; }
  bool operator==(const TschLink&) const = default;
};

/// One slotframe: a handle, a size in timeslots, and its links sorted by timeslot.
struct TschSlotframe {
  std::uint8_t handle = 0;
  std::uint16_t size = 0;
  std::vector<TschLink> links;  ///< sorted by (timeslot, channel_offset)
  bool operator==(const TschSlotframe&) const = default;
};

/// RFC 8180 §4.2: TX | RX | Shared | Timekeeping.
inline constexpr std::uint8_t kMinimalCellOptions =
    kLinkTx | kLinkRx | kLinkShared | kLinkTimekeeping;

/// The slotframe and link tables of one node. Slotframes are kept in handle order: a
/// lower handle has priority when links of several slotframes fall in one timeslot
/// (15.4-2015 §6.2.6.2).
class TschSchedule {
 public:
  /// Bounds: a node's tables are sized by configuration (kNoBufs beyond them).
  explicit TschSchedule(std::size_t max_slotframes = 4, std::size_t max_links = 32)
      : max_slotframes_(max_slotframes), max_links_(max_links) {}

  /// The RFC 8180 §4.1 schedule: slotframe handle 0 of `size` slots, one advertising
  /// cell at (0, 0) with options 0x0F.
  static TschSchedule minimal(std::uint16_t size, std::size_t max_slotframes = 4,
                              std::size_t max_links = 32);

  /// kInvalidArgs for size 0, kAlreadyExists for a used handle, kNoBufs when full.
  Error addSlotframe(std::uint8_t handle, std::uint16_t size);
  /// kNotFound when absent.
  Error removeSlotframe(std::uint8_t handle);
  /// kNotFound (no such slotframe), kInvalidArgs (timeslot outside the slotframe, no TX
  /// or RX option), kAlreadyExists (same timeslot, channel offset and neighbour), kNoBufs.
  Error addLink(std::uint8_t handle, const TschLink& link);
  /// Removes the link(s) at (timeslot, channel offset); kNotFound when none.
  Error removeLink(std::uint8_t handle, std::uint16_t timeslot, std::uint16_t channel_offset);
  void clear() { slotframes_.clear(); }

  const std::vector<TschSlotframe>& slotframes() const { return slotframes_; }
  const TschSlotframe* find(std::uint8_t handle) const;
  std::size_t linkCount() const;
  bool empty() const { return linkCount() == 0; }

  /// Calls `fn(slotframe, link)` for every link scheduled at `asn`, in priority order
  /// (slotframe handle, then timeslot order within the slotframe).
  template <class Fn>
  void forEachLinkAt(std::uint64_t asn, Fn&& fn) const {
    for (const TschSlotframe& sf : slotframes_) {
      const auto offset = static_cast<std::uint16_t>(asn % sf.size);
      for (const TschLink& l : sf.links) {
        if (l.timeslot == offset) fn(sf, l);
        if (l.timeslot > offset) break;
      }
    }
  }

  /// The smallest ASN >= `from` with a link for which `wanted(link)` holds, or nullopt
  /// when no link qualifies. Cost: O(links), independent of the number of idle slots.
  template <class Pred>
  std::optional<std::uint64_t> nextActive(std::uint64_t from, Pred&& wanted) const {
    std::optional<std::uint64_t> best;
    for (const TschSlotframe& sf : slotframes_) {
      if (sf.links.empty()) continue;
      const std::uint64_t base = from - from % sf.size;
      const auto offset = static_cast<std::uint16_t>(from % sf.size);
      // Links at or after `offset` in this period, then the ones before it in the next.
      std::optional<std::uint64_t> here;
      for (const TschLink& l : sf.links) {
        if (!wanted(l)) continue;
        const std::uint64_t at =
            l.timeslot >= offset ? base + l.timeslot : base + sf.size + l.timeslot;
        if (!here || at < *here) here = at;
        if (l.timeslot >= offset) break;  // links are sorted: the first one at/after wins
      }
      if (here && (!best || *here < *best)) best = here;
    }
    return best;
  }
  std::optional<std::uint64_t> nextActive(std::uint64_t from) const {
    return nextActive(from, [](const TschLink&) { return true; });
  }

  /// The schedule as a TSCH Slotframe and Link IE (15.4-2015 §7.4.4.3).
  TschSlotframeLinkIe toIe() const;
  /// A schedule from a received Slotframe and Link IE: every link for any neighbour,
  /// links of the minimal cell's shape marked advertising. kInvalidArgs / kNoBufs as
  /// addSlotframe / addLink.
  static Result<TschSchedule> fromIe(const TschSlotframeLinkIe& ie, std::size_t max_slotframes = 4,
                                     std::size_t max_links = 32);

  bool operator==(const TschSchedule& o) const { return slotframes_ == o.slotframes_; }

 private:
  TschSlotframe* findMutable(std::uint8_t handle);

  std::vector<TschSlotframe> slotframes_;  ///< sorted by handle
  std::size_t max_slotframes_;
  std::size_t max_links_;
};

}  // namespace lpm::ieee802154
