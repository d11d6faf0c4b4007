#include "lpmesh/sim/ble_controller.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "lpmesh/sim/pcap.hpp"

namespace lpm::sim {

namespace {

std::int32_t advChannelKhz(std::uint8_t index) {
  return bleRfChannelKhz(bleChannelIndexToRf(index));
}

std::uint8_t rfToAdvIndex(std::uint8_t rf) {
  if (rf == 0) return 37;
  if (rf == 12) return 38;
  return 39;
}

}  // namespace

SimBleController::SimBleController(Kernel& kernel, Medium& medium, const NodeClock& clock,
                                   Rng& mac_rng, BleAddress address)
    : kernel_(kernel), medium_(medium), clock_(clock), rng_(mac_rng), address_(address) {}

SimBleController::~SimBleController() {
  kernel_.cancel(adv_event_);
  kernel_.cancel(scan_event_);
}

std::uint8_t SimBleController::mapChannels(std::uint8_t map, std::array<std::uint8_t, 3>& out) {
  std::uint8_t n = 0;
  for (std::uint8_t i = 0; i < 3; ++i) {
    if ((map & (1U << i)) != 0) out[n++] = static_cast<std::uint8_t>(37 + i);
  }
  return n;
}

void SimBleController::onEvent(void* self, std::uint64_t code) {
  auto* c = static_cast<SimBleController*>(self);
  switch (code) {
    case kAdvEventStart:
      c->adv_event_ = EventId{};
      c->startEvent();
      break;
    case kAdvSendPdu:
      c->adv_event_ = EventId{};
      c->sendPdu();
      break;
    case kScanWindowEnd:
      c->scan_event_ = EventId{};
      c->window_open_ = false;
      c->applyRadio();
      c->scan_event_ =
          c->kernel_.schedule(c->clock_.toSim(c->interval_start_ + c->scan_params_.interval),
                              &SimBleController::onEvent, c, kScanNextInterval);
      break;
    case kScanNextInterval:
      c->scan_event_ = EventId{};
      c->scan_index_ = static_cast<std::uint8_t>((c->scan_index_ + 1) % c->scan_channel_count_);
      c->beginScanInterval(c->interval_start_ + c->scan_params_.interval);
      break;
    default:
      break;
  }
}

Error SimBleController::startAdvertising(const platform::AdvParams& params,
                                         std::span<const std::uint8_t> data) {
  if (!powered_) return Error::kInvalidState;
  if (data.size() > platform::kBleMaxAdvData || (params.channel_map & 0x07) == 0 ||
      params.interval < millis(20) || params.interval > micros(10'240'000)) {
    return Error::kInvalidArgs;
  }
  if (params.type != platform::AdvPduType::kAdvInd &&
      params.type != platform::AdvPduType::kAdvNonconnInd &&
      params.type != platform::AdvPduType::kAdvScanInd) {
    return Error::kUnsupported;  // directed advertising and scan/connect PDUs: not legacy adv data
  }
  adv_params_ = params;
  adv_channel_count_ = mapChannels(params.channel_map, adv_channels_);
  // Vol 6 Part B §2.3: header (PDU type, RFU, ChSel, TxAdd, RxAdd; length), AdvA, AdvData.
  const bool random = (address_[0] & 0xC0) == 0xC0;
  const auto payload_len = static_cast<std::uint8_t>(6 + data.size());
  pdu_[0] =
      static_cast<std::uint8_t>(static_cast<std::uint8_t>(params.type) | (random ? 0x40 : 0x00));
  pdu_[1] = payload_len;
  for (std::size_t i = 0; i < 6; ++i)
    pdu_[2 + i] = address_[5 - i];
  if (!data.empty()) std::memcpy(&pdu_[8], data.data(), data.size());
  const std::size_t body = 2U + payload_len;
  const auto crc = bleCrc24Bytes(bleCrc24(ByteSpan(pdu_.data(), body)));
  std::memcpy(&pdu_[body], crc.data(), 3);
  pdu_len_ = static_cast<std::uint8_t>(body + 3);

  advertising_ = true;
  events_done_ = 0;
  if (pdu_on_air_) {
    restart_pending_ = true;  // the PDU on air completes, then the new sequence starts
    return Error::kNone;
  }
  kernel_.cancel(adv_event_);
  adv_event_ = EventId{};
  in_event_ = false;
  startEvent();
  return Error::kNone;
}

void SimBleController::startEvent() {
  in_event_ = true;
  pdu_index_ = 0;
  event_start_ = clock_.toLocal(kernel_.now());
  sendPdu();
}

void SimBleController::sendPdu() {
  const std::uint8_t ch = adv_channels_[pdu_index_];
  TxRecord& rec = medium_.allocTx();
  rec.kind = SignalKind::kBle;
  rec.channel = bleChannelIndexToRf(ch);
  rec.freq_khz = advChannelKhz(ch);
  rec.tx_dbm = adv_params_.tx_power_dbm;
  std::memcpy(rec.data.data(), pdu_.data(), pdu_len_);
  rec.len = pdu_len_;
  pdu_on_air_ = true;
  medium_.startTx(port_, rec);
}

void SimBleController::onTransmitEnd(const TxRecord& /*tx*/, bool aborted) {
  pdu_on_air_ = false;
  if (aborted) return;
  if (!advertising_) {
    in_event_ = false;
    applyRadio();
    return;
  }
  if (restart_pending_) {
    restart_pending_ = false;
    startEvent();
    return;
  }
  ++pdu_index_;
  if (pdu_index_ < adv_channel_count_) {
    // Re-tuning to the next advertising channel: powered, receiving nothing.
    medium_.holdRx(port_);
    adv_event_ = kernel_.schedule(kernel_.now() + kBleAdvPduSpacing, &SimBleController::onEvent,
                                  this, kAdvSendPdu);
    return;
  }
  endEvent();
}

void SimBleController::endEvent() {
  in_event_ = false;
  ++events_done_;
  if (adv_params_.num_events != 0 && events_done_ >= adv_params_.num_events) {
    advertising_ = false;
    applyRadio();
    if (client_ != nullptr) client_->onAdvertisingDone();
    return;
  }
  const auto delay_us = rng_.uniformInt(0, toMicros(kBleAdvDelayMax));
  const LocalTime next = event_start_ + adv_params_.interval + micros(delay_us);
  adv_event_ =
      kernel_.schedule(clock_.toSim(next), &SimBleController::onEvent, this, kAdvEventStart);
  applyRadio();
}

void SimBleController::stopAdvertising() {
  if (!advertising_) return;
  advertising_ = false;
  restart_pending_ = false;
  kernel_.cancel(adv_event_);
  adv_event_ = EventId{};
  if (pdu_on_air_) return;  // the PDU completes; onTransmitEnd ends the event
  in_event_ = false;
  applyRadio();
}

Error SimBleController::startScanning(const platform::ScanParams& params) {
  if (!powered_) return Error::kInvalidState;
  // Vol 4 Part E §7.8.10: LE_Scan_Interval / Window 2.5 ms .. 10.24 s, window <= interval.
  const Duration lo = micros(2'500);
  const Duration hi = micros(10'240'000);
  if (params.interval < lo || params.interval > hi || params.window < lo ||
      params.window > params.interval || (params.channel_map & 0x07) == 0) {
    return Error::kInvalidArgs;
  }
  scan_params_ = params;
  scan_channel_count_ = mapChannels(params.channel_map, scan_channels_);
  scan_index_ = 0;
  scanning_ = true;
  kernel_.cancel(scan_event_);
  scan_event_ = EventId{};
  beginScanInterval(clock_.toLocal(kernel_.now()));
  return Error::kNone;
}

void SimBleController::beginScanInterval(LocalTime start) {
  interval_start_ = start;
  window_open_ = true;
  applyRadio();
  if (scan_params_.window < scan_params_.interval) {
    scan_event_ = kernel_.schedule(clock_.toSim(start + scan_params_.window),
                                   &SimBleController::onEvent, this, kScanWindowEnd);
  } else {
    scan_event_ = kernel_.schedule(clock_.toSim(start + scan_params_.interval),
                                   &SimBleController::onEvent, this, kScanNextInterval);
  }
}

void SimBleController::stopScanning() {
  scanning_ = false;
  window_open_ = false;
  kernel_.cancel(scan_event_);
  scan_event_ = EventId{};
  applyRadio();
}

void SimBleController::applyRadio() {
  if (pdu_on_air_ || in_event_) return;  // the advertiser owns the radio
  if (scanning_ && window_open_) {
    medium_.listen(port_, advChannelKhz(scan_channels_[scan_index_]), /*lockable=*/true);
  } else {
    medium_.stopListening(port_, RadioState::kSleep);
  }
}

void SimBleController::onFrameReceived(const TxRecord& tx, const RxMeasure& measure) {
  if (client_ == nullptr || !scanning_ || tx.len < 2 + 6 + 3) return;
  const auto type = static_cast<platform::AdvPduType>(tx.data[0] & 0x0F);
  const std::uint8_t payload_len = tx.data[1];
  if (payload_len < 6 || 2U + payload_len + 3U > tx.len) return;
  if (type != platform::AdvPduType::kAdvInd && type != platform::AdvPduType::kAdvNonconnInd &&
      type != platform::AdvPduType::kAdvScanInd && type != platform::AdvPduType::kScanRsp) {
    return;
  }
  platform::AdvReport report;
  for (std::size_t i = 0; i < 6; ++i)
    report.address[i] = tx.data[2 + 5 - i];
  report.type = type;
  report.data = ByteSpan(tx.data.data() + 8, payload_len - 6U);
  report.rssi_dbm =
      static_cast<std::int8_t>(std::clamp(std::lround(measure.rssi_dbm), -127L, 127L));
  report.channel = rfToAdvIndex(tx.channel);
  report.time = clock_.toLocal(tx.end);
  client_->onAdvReport(report);
}

void SimBleController::powerOff() {
  if (pdu_on_air_) medium_.abortTx(port_);
  kernel_.cancel(adv_event_);
  kernel_.cancel(scan_event_);
  adv_event_ = EventId{};
  scan_event_ = EventId{};
  advertising_ = false;
  scanning_ = false;
  window_open_ = false;
  in_event_ = false;
  pdu_on_air_ = false;
  restart_pending_ = false;
  client_ = nullptr;
  powered_ = false;
  medium_.stopListening(port_, RadioState::kOff);
}

void SimBleController::powerOn() {
  powered_ = true;
  medium_.stopListening(port_, RadioState::kSleep);
}

}  // namespace lpm::sim
