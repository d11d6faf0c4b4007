// PHY model: the Annex E O-QPSK curve against the check values of
// ../shared/reference/simulation.md §4, the BLE model, noise, channel plans and the
// spectral overlap factor.
#include "lpmesh/sim/phy_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace lpm::sim {
namespace {

double per(double ber, int bytes) {
  return 1.0 - std::pow(1.0 - ber, 8.0 * bytes);
}

TEST(PhyModel, OqpskBerCheckValues) {
  // simulation.md §4: -2 dB 5.2e-3 (PER(20 B) 0.57); 0 dB 1.6e-4 (PER(20 B) 0.026,
  // PER(127 B) 0.15); +2 dB 5.1e-7; +4 dB 4.9e-11.
  auto lin = [](double db) { return std::pow(10.0, db / 10.0); };
  EXPECT_NEAR(berOqpskExact(lin(-2.0)), 5.2e-3, 0.05e-3);
  EXPECT_NEAR(berOqpskExact(lin(0.0)), 1.6e-4, 0.05e-4);
  EXPECT_NEAR(berOqpskExact(lin(2.0)), 5.1e-7, 0.05e-7);
  EXPECT_NEAR(berOqpskExact(lin(4.0)), 4.9e-11, 0.05e-11);
  EXPECT_NEAR(per(berOqpskExact(lin(-2.0)), 20), 0.57, 0.005);
  EXPECT_NEAR(per(berOqpskExact(lin(0.0)), 20), 0.026, 0.001);
  EXPECT_NEAR(per(berOqpskExact(lin(0.0)), 127), 0.15, 0.005);
  // Far below: the curve saturates at 1/2.
  EXPECT_NEAR(berOqpskExact(lin(-30.0)), 0.5, 0.01);
}

TEST(PhyModel, OqpskTableMatchesFormula) {
  for (double db = -9.99; db < 11.9; db += 0.137) {
    const double exact = berOqpskExact(std::pow(10.0, db / 10.0));
    const double table = berOqpsk(db);
    if (exact < 1e-300) continue;
    EXPECT_NEAR(table / exact, 1.0, 1e-3) << "at " << db << " dB";
  }
  EXPECT_EQ(berOqpsk(13.0), 0.0);
  EXPECT_NEAR(berOqpsk(-15.0), berOqpskExact(std::pow(10.0, -1.5)), 1e-12);
}

TEST(PhyModel, BleGfskModel) {
  // BER 1e-3 (the Core's sensitivity criterion) near 12.9 dB SNR.
  EXPECT_NEAR(berBleGfsk(12.9), 1e-3, 0.15e-3);
  EXPECT_GT(berBleGfsk(5.0), 0.1);
  EXPECT_LT(berBleGfsk(20.0), 1e-12);
  // Monotone.
  double prev = 1.0;
  for (double db = -10; db < 25; db += 0.5) {
    const double b = berBleGfsk(db);
    EXPECT_LE(b, prev);
    prev = b;
  }
}

TEST(PhyModel, NoiseFloor) {
  EXPECT_NEAR(noiseFloorDbm(Phy::k802154, 0.0), -110.99, 0.01);  // -174 + 63.01
  EXPECT_NEAR(noiseFloorDbm(Phy::kBle, 0.0), -114.0, 0.01);
  EXPECT_NEAR(noiseFloorDbm(Phy::k802154, 6.0), -104.99, 0.01);
}

TEST(PhyModel, ChannelPlans) {
  EXPECT_EQ(channelKhz802154(11), 2'405'000);
  EXPECT_EQ(channelKhz802154(15), 2'425'000);
  EXPECT_EQ(channelKhz802154(26), 2'480'000);
  EXPECT_EQ(bleRfChannelKhz(bleChannelIndexToRf(37)), 2'402'000);
  EXPECT_EQ(bleRfChannelKhz(bleChannelIndexToRf(38)), 2'426'000);
  EXPECT_EQ(bleRfChannelKhz(bleChannelIndexToRf(39)), 2'480'000);
  EXPECT_EQ(bleChannelIndexToRf(0), 1);
  EXPECT_EQ(bleChannelIndexToRf(10), 11);
  EXPECT_EQ(bleChannelIndexToRf(11), 13);
  EXPECT_EQ(bleChannelIndexToRf(36), 38);
}

TEST(PhyModel, OverlapFactor) {
  // Co-channel, same technology: everything.
  EXPECT_DOUBLE_EQ(overlapFactor(Phy::k802154, SignalKind::k802154, 0), 1.0);
  EXPECT_DOUBLE_EQ(overlapFactor(Phy::kBle, SignalKind::kBle, 0), 1.0);
  // BLE 39 and 802.15.4 ch 26 share 2480 MHz: the 1 MHz BLE signal falls wholly in the
  // 2 MHz 15.4 receiver; half of the 15.4 signal falls in the BLE receiver.
  const std::int32_t d39_26 = bleRfChannelKhz(39) - channelKhz802154(26);
  EXPECT_EQ(d39_26, 0);
  EXPECT_DOUBLE_EQ(overlapFactor(Phy::k802154, SignalKind::kBle, d39_26), 1.0);
  EXPECT_DOUBLE_EQ(overlapFactor(Phy::kBle, SignalKind::k802154, d39_26), 0.5);
  // BLE 38 (2426) vs 15.4 ch 15 (2425): 0.5 MHz of overlap.
  const std::int32_t d38_15 = bleRfChannelKhz(12) - channelKhz802154(15);
  EXPECT_NEAR(overlapFactorDb(Phy::k802154, SignalKind::kBle, d38_15), -3.01, 0.01);
  // 0.25 in band; the BLE receiver's 1 MHz rejection (6 dB) lets about as much through.
  EXPECT_NEAR(overlapFactorDb(Phy::kBle, SignalKind::k802154, d38_15), -6.0, 0.03);
  // BLE 38 vs 15.4 ch 11 (2405): 21 MHz apart, only receiver leakage.
  const std::int32_t d38_11 = bleRfChannelKhz(12) - channelKhz802154(11);
  EXPECT_LE(overlapFactorDb(Phy::k802154, SignalKind::kBle, d38_11), -45.0);
  EXPECT_LE(overlapFactorDb(Phy::kBle, SignalKind::k802154, d38_11), -45.0);
  // Adjacent 802.15.4 channels (5 MHz): rejection, not overlap.
  EXPECT_NEAR(overlapFactorDb(Phy::k802154, SignalKind::k802154, 5000), -35.0, 1e-9);
  // Symmetric in the sign of the offset, non-increasing with distance.
  double prev = 2.0;
  for (std::int32_t d = 0; d <= 80'000; d += 250) {
    const double f = overlapFactor(Phy::k802154, SignalKind::kBle, d);
    EXPECT_DOUBLE_EQ(f, overlapFactor(Phy::k802154, SignalKind::kBle, -d));
    EXPECT_LE(f, prev);
    prev = f;
  }
}

TEST(PhyModel, Lqi) {
  EXPECT_EQ(lqiFromSinrDb(-3.0), 0);
  EXPECT_EQ(lqiFromSinrDb(10.0), 100);
  EXPECT_EQ(lqiFromSinrDb(40.0), 255);
}

}  // namespace
}  // namespace lpm::sim
