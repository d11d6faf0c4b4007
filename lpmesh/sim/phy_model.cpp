#include "lpmesh/sim/phy_model.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

namespace lpm::sim {

double noiseFloorDbm(Phy phy, double noise_figure_db) {
  const double bandwidth_hz = static_cast<double>(receiverBandwidthKhz(phy)) * 1e3;
  return -174.0 + 10.0 * std::log10(bandwidth_hz) + noise_figure_db;
}

double adjacentRejectionDb(Phy rx, std::int32_t delta_khz) {
  const std::int32_t d = std::abs(delta_khz);
  if (rx == Phy::k802154) {
    if (d < 3'000) return 20.0;
    if (d < 7'000) return 35.0;
    if (d < 12'000) return 45.0;
    return 55.0;
  }
  if (d < 1'500) return 6.0;
  if (d < 2'500) return 38.0;
  return 48.0;
}

double overlapFactor(Phy rx, SignalKind tx, std::int32_t delta_khz) {
  const std::int32_t d = std::abs(delta_khz);
  const std::int32_t half_tx = signalBandwidthKhz(tx) / 2;
  const std::int32_t half_rx = receiverBandwidthKhz(rx) / 2;
  // Interferer band [d - half_tx, d + half_tx] against receiver band [-half_rx, half_rx].
  const std::int32_t lo = std::max(d - half_tx, -half_rx);
  const std::int32_t hi = std::min(d + half_tx, half_rx);
  const double in_band =
      hi > lo ? static_cast<double>(hi - lo) / static_cast<double>(signalBandwidthKhz(tx)) : 0.0;
  const double leak = std::pow(10.0, -adjacentRejectionDb(rx, d) / 10.0);
  return std::max(in_band, leak);
}

double overlapFactorDb(Phy rx, SignalKind tx, std::int32_t delta_khz) {
  return 10.0 * std::log10(overlapFactor(rx, tx, delta_khz));
}

double berOqpskExact(double sinr_linear) {
  // Binomial coefficients C(16, k), k = 0..16.
  static constexpr std::array<double, 17> kC16 = {
      1, 16, 120, 560, 1820, 4368, 8008, 11440, 12870, 11440, 8008, 4368, 1820, 560, 120, 16, 1};
  double sum = 0.0;
  for (int k = 2; k <= 16; ++k) {
    const double term =
        kC16[static_cast<std::size_t>(k)] * std::exp(20.0 * sinr_linear * (1.0 / k - 1.0));
    sum += (k % 2 == 0) ? term : -term;
  }
  const double ber = (8.0 / 15.0) * (1.0 / 16.0) * sum;
  return std::clamp(ber, 0.0, 0.5);
}

namespace {

constexpr double kTableLoDb = -10.0;
constexpr double kTableHiDb = 12.0;
constexpr double kTableStepDb = 0.01;
constexpr int kTableSize = 2201;  // (hi - lo) / step + 1

const std::vector<double>& oqpskTable() {
  // Immutable after its thread-safe first initialisation: no mutable static state.
  static const std::vector<double> table = [] {
    std::vector<double> t(kTableSize);
    for (int i = 0; i < kTableSize; ++i) {
      const double db = kTableLoDb + kTableStepDb * i;
      // ln(BER): nearly linear in dB over one step, so interpolation stays exact to
      // ~1e-4 relative even where the curve falls by decades per dB.
      t[static_cast<std::size_t>(i)] = std::log(berOqpskExact(std::pow(10.0, db / 10.0)));
    }
    return t;
  }();
  return table;
}

}  // namespace

double berOqpsk(double sinr_db) {
  if (sinr_db >= kTableHiDb) return 0.0;
  if (sinr_db < kTableLoDb) return berOqpskExact(std::pow(10.0, sinr_db / 10.0));
  const auto& t = oqpskTable();
  const double pos = (sinr_db - kTableLoDb) / kTableStepDb;
  auto i = static_cast<std::size_t>(pos);
  if (i >= static_cast<std::size_t>(kTableSize - 1)) i = static_cast<std::size_t>(kTableSize - 2);
  const double frac = pos - static_cast<double>(i);
  return std::exp(t[i] + (t[i + 1] - t[i]) * frac);
}

double berBleGfsk(double sinr_db) {
  const double gamma = std::pow(10.0, (sinr_db - kBleImplementationLossDb) / 10.0);
  return 0.5 * std::exp(-gamma / 2.0);
}

std::uint8_t lqiFromSinrDb(double sinr_db) {
  const double v = std::round(sinr_db * 10.0);
  return static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
}

}  // namespace lpm::sim
