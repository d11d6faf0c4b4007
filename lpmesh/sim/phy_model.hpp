// PHY models of the shared 2.4 GHz medium: channel plans, bandwidths, thermal noise,
// the spectral overlap between any two signals, and the bit-error curves
// (issue #2 §3 "One medium for all PHYs, in frequency").
//
// Frequencies are integer kHz so every channel centre of both plans is exact.
//
// Spectral model (documented in docs and tested in tests/sim/phy_model_test.cpp):
//  - every signal has a rectangular power spectral density over its occupied bandwidth
//    (802.15.4 O-QPSK 2 MHz, BLE LE 1M GFSK 1 MHz, jammer 2 MHz);
//  - a receiver integrates over its own channel bandwidth (802.15.4 2 MHz, BLE 1 MHz);
//  - the in-band fraction is |interferer band ∩ receiver band| / interferer bandwidth;
//  - outside the band the receiver's selectivity still lets a small part through. That
//    floor is the adjacent-channel rejection (ACR) of a typical receiver, by centre
//    spacing: 802.15.4 (CC2420 / nRF52840-class, above the 0 dB / 30 dB minimums of
//    IEEE 802.15.4-2020 §12.3.9): < 3 MHz 20 dB, < 7 MHz 35 dB, < 12 MHz 45 dB, else
//    55 dB; BLE (Core v5.4 Vol 6 Part A §4.2 C/I limits turned into rejection relative
//    to the 21 dB co-channel C/I): < 1.5 MHz 6 dB, < 2.5 MHz 38 dB, else 48 dB;
//  - the factor is max(in-band fraction, 10^(-ACR/10)).
// Examples: 802.15.4 ch 15 (2425 MHz) and BLE 38 (2426 MHz) overlap by 0.5 MHz: BLE into
// a 15.4 receiver -3 dB, 15.4 into a BLE receiver -6 dB. 15.4 ch 11 and BLE 38 are
// 21 MHz apart: -55 dB / -48 dB. BLE 39 and 15.4 ch 26 share 2480 MHz.
#pragma once

#include <cmath>
#include <cstdint>

namespace lpm::sim {

/// A receiver / transmitter technology on the medium.
enum class Phy : std::uint8_t { k802154 = 0, kBle = 1 };
inline constexpr int kPhyCount = 2;

/// What a signal on the medium is (a jammer is not a PHY anyone can receive).
enum class SignalKind : std::uint8_t { k802154 = 0, kBle = 1, kJammer = 2 };

constexpr SignalKind signalKindOf(Phy phy) {
  return static_cast<SignalKind>(phy);
}

/// IEEE 802.15.4-2020 §10.1.3.3: channel k (11..26) at 2405 + 5 (k - 11) MHz.
constexpr std::int32_t channelKhz802154(std::uint8_t channel) {
  return 2'405'000 + 5'000 * (static_cast<std::int32_t>(channel) - 11);
}
/// Core Vol 6 Part A §2: RF channel i (0..39) at 2402 + 2 i MHz.
constexpr std::int32_t bleRfChannelKhz(std::uint8_t rf_channel) {
  return 2'402'000 + 2'000 * static_cast<std::int32_t>(rf_channel);
}
/// Core Vol 6 Part B §1.4.1: channel index (0..39) to RF channel. Advertising 37, 38, 39
/// are RF 0, 12, 39; data channels 0..10 are RF 1..11, 11..36 are RF 13..38.
constexpr std::uint8_t bleChannelIndexToRf(std::uint8_t index) {
  if (index == 37) return 0;
  if (index == 38) return 12;
  if (index == 39) return 39;
  return static_cast<std::uint8_t>(index <= 10 ? index + 1 : index + 2);
}

/// Occupied bandwidth of a signal, kHz.
constexpr std::int32_t signalBandwidthKhz(SignalKind kind) {
  return kind == SignalKind::kBle ? 1'000 : 2'000;
}
/// Noise bandwidth of a receiver, kHz.
constexpr std::int32_t receiverBandwidthKhz(Phy phy) {
  return phy == Phy::kBle ? 1'000 : 2'000;
}

/// Bit period of the payload (ns): 802.15.4 250 kb/s, BLE LE 1M.
constexpr std::int64_t bitTimeNs(Phy phy) {
  return phy == Phy::kBle ? 1'000 : 4'000;
}

/// 10^(dBm/10), through exp: about twice as fast as pow on the per-receiver path.
inline double dbmToMw(double dbm) {
  return std::exp(dbm * 0.23025850929940458);  // ln(10) / 10
}
inline double mwToDbm(double mw) {
  return 10.0 * std::log10(mw);
}

/// Thermal noise kTB (-174 dBm/Hz + 10 log10 B) plus the receiver noise figure, dBm.
double noiseFloorDbm(Phy phy, double noise_figure_db);

/// Adjacent-channel rejection of a `rx` receiver for an interferer whose centre is
/// `delta_khz` away (dB, >= 0). See the file comment.
double adjacentRejectionDb(Phy rx, std::int32_t delta_khz);

/// Fraction (0..1] of a `tx` signal's power a `rx` receiver sees when their centres
/// are `delta_khz` apart: max(rectangular in-band fraction, ACR floor).
double overlapFactor(Phy rx, SignalKind tx, std::int32_t delta_khz);
/// The same in dB (<= 0).
double overlapFactorDb(Phy rx, SignalKind tx, std::int32_t delta_khz);

/// IEEE 802.15.4-2006 E.4.1.8 (O-QPSK 2.4 GHz, DSSS 16-ary):
/// BER = (8/15)(1/16) Σ_{k=2..16} (-1)^k C(16,k) exp(20 SINR (1/k - 1)), SINR linear.
/// Evaluated directly (reference for tests).
double berOqpskExact(double sinr_linear);

/// The same curve from a precomputed table over SINR in dB (-10..+12 dB, 0.01 dB
/// steps, interpolating ln BER linearly); exact below the table, 0 above (BER < 1e-68).
double berOqpsk(double sinr_db);

/// BLE LE 1M GFSK: non-coherent binary FSK, BER = 0.5 exp(-γ/2), with
/// γ = SINR - kBleImplementationLossDb (linear). Eb/N0 equals the SINR because the
/// 1 MHz noise bandwidth equals the 1 Mb/s bit rate. The 2 dB implementation loss puts
/// BER 1e-3 (the Core's sensitivity criterion, 30.8 % PER for 37-byte payloads) at
/// 12.9 dB SNR, i.e. -95 dBm with a 6 dB noise figure, as typical LE 1M receivers.
inline constexpr double kBleImplementationLossDb = 2.0;
double berBleGfsk(double sinr_db);

/// Bit error rate of `phy` at `sinr_db`.
inline double berFor(Phy phy, double sinr_db) {
  return phy == Phy::kBle ? berBleGfsk(sinr_db) : berOqpsk(sinr_db);
}

/// LQI 0..255 from the lowest SINR seen over the frame: linear from 0 dB (0) to
/// 25.5 dB (255), i.e. 10 per dB, clamped. (Chips derive LQI from chip-correlation
/// quality, which tracks SINR; a linear map keeps the value interpretable.)
std::uint8_t lqiFromSinrDb(double sinr_db);

}  // namespace lpm::sim
