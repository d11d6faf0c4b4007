// The interface between the TSCH MAC and the layer above it (the routing layer: RPL in
// 6TiSCH part 2), and a static implementation for networks without routing.
//
// The routing layer decides what RFC 8180 leaves to it: the Join Metric a node
// announces and therefore when it may send EBs (§6.1, §6.3), which EB senders may be
// time sources and which one to choose (§6.2). It receives data frames, transmission
// results and synchronisation events; neighbour statistics (§7.1) are read from the MAC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/ieee802154/security.hpp"
#include "lpmesh/ieee802154/tsch_frames.hpp"

namespace lpm::ieee802154 {

/// An EB sender heard while joining, with its latest EB.
struct TschCandidate {
  Eui64 address{};
  EbContent eb;
  LocalTime sfd_time{};  ///< SFD of its latest EB (local time)
  std::int8_t rssi_dbm = -127;
  /// False when the EB was passed up without verification (JoinKeyMode::kNone).
  bool verified = false;
  std::uint32_t ebs_heard = 0;
};

/// A data frame delivered upward.
struct TschRxData {
  Eui64 source{};
  bool broadcast = false;
  ByteSpan payload;  ///< valid during the callback only
  std::int8_t rssi_dbm = -127;
  std::uint64_t asn = 0;
  RxSecurity security = RxSecurity::kUnsecured;
};

class TschUpperLayer {
 public:
  virtual ~TschUpperLayer() = default;

  /// RFC 8180 §6.1: the Join Metric to announce (0 at the PAN coordinator). Empty while
  /// the node has no routing metric: §6.3, no EBs are sent until it has one.
  virtual std::optional<std::uint8_t> joinMetric() const = 0;
  /// Whether an EB sender may become this node's time source (§6.2: among the RPL
  /// parent set when RPL is used).
  virtual bool acceptsTimeSource(const TschCandidate& /*candidate*/) const { return true; }
  /// §6.2: which candidate to synchronise to (all passed acceptsTimeSource), or empty
  /// to keep listening. Called once NUM_NEIGHBOURS_TO_WAIT senders were heard or
  /// MAX_EB_DELAY passed. Default: lowestJoinMetric().
  virtual std::optional<std::size_t> chooseTimeSource(
      std::span<const TschCandidate> candidates) const;

  /// IETF IEs (RFC 8137) to carry in each EB this node sends, e.g. the RFC 9032
  /// enrollment IE. Called when an EB is built.
  virtual void ebIetfIes(std::vector<IetfIe>& /*out*/) const {}

  virtual void onSynchronized(const Eui64& /*time_source*/, std::uint8_t /*source_join_metric*/) {}
  virtual void onDesynchronized() {}
  /// An EB from a neighbour while synchronised, with its Join Metric (routing input).
  virtual void onEbReceived(const Eui64& /*source*/, std::uint8_t /*join_metric*/,
                            std::int8_t /*rssi_dbm*/) {}
  virtual void onReceive(const TschRxData& /*data*/) {}
  /// End of a send(): kNone (acknowledged, or broadcast sent), kNoAck after every
  /// attempt, kDropped when flushed (desynchronisation, stop).
  virtual void onSendDone(std::uint32_t /*handle*/, Error /*status*/, std::uint8_t /*attempts*/) {}
};

/// The candidate with the lowest Join Metric; ties go to the strongest, then the first.
std::optional<std::size_t> lowestJoinMetric(std::span<const TschCandidate> candidates);

/// Static routing for networks without RPL: the coordinator announces Join Metric 0, a
/// node its time source's + 1 once synchronised; optionally a fixed time source (a
/// static time-source tree given by the scenario).
class StaticTschUpper : public TschUpperLayer {
 public:
  StaticTschUpper(bool coordinator, std::optional<Eui64> fixed_time_source)
      : coordinator_(coordinator), fixed_(fixed_time_source) {}

  std::optional<std::uint8_t> joinMetric() const override;
  bool acceptsTimeSource(const TschCandidate& candidate) const override;
  void onSynchronized(const Eui64& time_source, std::uint8_t source_join_metric) override;
  void onDesynchronized() override { source_metric_.reset(); }

 private:
  bool coordinator_;
  std::optional<Eui64> fixed_;
  std::optional<std::uint8_t> source_metric_;
};

}  // namespace lpm::ieee802154
