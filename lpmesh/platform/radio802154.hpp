// IEEE 802.15.4 O-QPSK 2.4 GHz frame radio (DESIGN.md "The platform contract").
//
// The stack hands the radio an MPDU without its FCS; the radio appends the 2-byte FCS
// on air (as transceivers do) and delivers only received frames whose FCS checked
// out. There is no automatic acknowledgment: MAC layers send ACKs themselves, timed
// with transmit(at = ...), which is what TSCH needs anyway.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"

namespace lpm::platform {

inline constexpr std::uint8_t k802154MinChannel = 11;
inline constexpr std::uint8_t k802154MaxChannel = 26;
inline constexpr std::size_t k802154MaxPsdu = 127;      ///< aMaxPhyPacketSize
inline constexpr std::size_t k802154FcsSize = 2;
inline constexpr std::size_t k802154MaxMpdu = k802154MaxPsdu - k802154FcsSize;
inline constexpr Duration k802154ByteTime = micros(32);       ///< 250 kb/s
inline constexpr Duration k802154ShrPhrTime = micros(192);    ///< SHR 5 B + PHR 1 B
inline constexpr Duration k802154Turnaround = micros(192);    ///< aTurnaroundTime
inline constexpr Duration k802154CcaTime = micros(128);       ///< 8 symbols

/// Air time of a PSDU of `psdu_len` bytes (MPDU + FCS), including SHR and PHR.
constexpr Duration airtime802154(std::size_t psdu_len) {
  return k802154ShrPhrTime + k802154ByteTime * static_cast<std::int64_t>(psdu_len);
}

struct Tx802154 {
  std::uint8_t channel = 11;          ///< 11..26
  std::span<const std::uint8_t> mpdu;  ///< without FCS, at most k802154MaxMpdu bytes; copied
  std::int8_t tx_power_dbm = 0;
  /// Perform CCA (128 µs energy detect against the threshold) before sending.
  bool cca = false;
  /// Start of the SHR at this local time; empty = as soon as the radio can.
  std::optional<LocalTime> at;
  /// TSCH absolute slot number, recorded in the capture (TAP TLV 7); not sent on air.
  std::optional<std::uint64_t> asn;
};

enum class TxStatus : std::uint8_t {
  kOk,           ///< frame fully transmitted
  kChannelBusy,  ///< CCA failed, nothing sent
  kAborted,      ///< radio turned off / node rebooted before the end
};

struct Rx802154 {
  std::uint8_t channel = 11;
  std::span<const std::uint8_t> mpdu;  ///< without FCS; valid during the callback only
  std::int8_t rssi_dbm = -127;
  std::uint8_t lqi = 0;
  LocalTime sfd_time{};  ///< local time the SFD ended (start of the PHR)
  std::optional<std::uint64_t> asn;  ///< as the sender recorded it (simulation metadata)
};

class Radio802154Client {
 public:
  virtual ~Radio802154Client() = default;
  /// End of a transmit() request. `sfd_time` is when the SFD went out (local time).
  virtual void onTxDone(TxStatus status, LocalTime sfd_time) = 0;
  /// A frame with a good FCS, delivered at its end.
  virtual void onRx(const Rx802154& frame) = 0;
  /// Result of energyDetect(): the highest energy seen, dBm.
  virtual void onEnergyDetectDone(std::int8_t /*max_dbm*/) {}
};

class Radio802154 {
 public:
  virtual ~Radio802154() = default;
  virtual void setClient(Radio802154Client* client) = 0;
  virtual Eui64 eui64() const = 0;
  /// Starts a transmission; onTxDone follows. kBusy while one is in progress;
  /// kInvalidArgs for a bad channel or length. Leaves the radio in receive on the same
  /// channel afterwards if it was receiving before, else asleep.
  virtual Error transmit(const Tx802154& tx) = 0;
  /// Receiver on, on `channel`. Frames already on air when it turns on are not received.
  virtual Error receive(std::uint8_t channel) = 0;
  /// Receiver and transmitter off (lowest power). An ongoing transmission is aborted.
  virtual void sleep() = 0;
  /// Measures energy on `channel` for `duration`, then calls onEnergyDetectDone.
  virtual Error energyDetect(std::uint8_t channel, Duration duration) = 0;
  /// Instantaneous energy on the current receive channel, dBm (RSSI register).
  virtual std::int8_t rssiNow() const = 0;
  /// CCA energy threshold, dBm (default -75 dBm).
  virtual void setCcaThreshold(std::int8_t dbm) = 0;
};

}  // namespace lpm::platform
