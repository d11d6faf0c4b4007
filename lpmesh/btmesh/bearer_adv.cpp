#include "lpmesh/btmesh/bearer_adv.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.adv";
}  // namespace

AdvertisingBearer::AdvertisingBearer(const platform::Platform& platform, const NodeConfig& config)
    : platform_(platform), config_(config) {
  queue_.resize(std::max<std::size_t>(1, config.adv_buffer_count));
}

AdvertisingBearer::~AdvertisingBearer() {
  if (started_ && platform_.ble != nullptr) {
    platform_.ble->stopAdvertising();
    platform_.ble->stopScanning();
    platform_.ble->setClient(nullptr);
  }
}

Error AdvertisingBearer::start() {
  if (platform_.ble == nullptr) return Error::kInvalidState;
  platform_.ble->setClient(this);
  platform::ScanParams scan;
  scan.interval = config_.scan_interval;
  scan.window = std::min(config_.scan_window, config_.scan_interval);
  LPM_TRY(platform_.ble->startScanning(scan));
  started_ = true;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState, "scanning");
  startNext();
  return Error::kNone;
}

void AdvertisingBearer::stop() {
  if (!started_) return;
  platform_.ble->stopAdvertising();
  platform_.ble->stopScanning();
  started_ = false;
  advertising_ = false;
  head_ = count_ = 0;
}

Error AdvertisingBearer::enqueue(std::uint8_t ad_type, ByteSpan payload, TransmitState transmit) {
  if (payload.empty() || payload.size() > kMaxAdPayload) return Error::kInvalidArgs;
  if (count_ == queue_.size()) {
    ++stats_.dropped_full;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "adv_buffers_full");
    return Error::kNoBufs;
  }
  Buffer& b = queue_[(head_ + count_) % queue_.size()];
  // §3.3.1 Table 3.4: Length (AD type + payload) | AD type | payload; no Flags AD.
  b.data[0] = static_cast<std::uint8_t>(payload.size() + 1);
  b.data[1] = ad_type;
  std::copy(payload.begin(), payload.end(), b.data.begin() + 2);
  b.len = static_cast<std::uint8_t>(payload.size() + 2);
  b.transmit = transmit;
  ++count_;
  ++stats_.queued;
  startNext();
  return Error::kNone;
}

Error AdvertisingBearer::transmit(const OutboundPdu& pdu) {
  return enqueue(kAdTypeMeshMessage, pdu.pdu, pdu.transmit);
}

Error AdvertisingBearer::sendBeacon(ByteSpan beacon, TransmitState transmit) {
  return enqueue(kAdTypeMeshBeacon, beacon, transmit);
}

Error AdvertisingBearer::sendPbAdv(ByteSpan pdu, TransmitState transmit) {
  return enqueue(kAdTypePbAdv, pdu, transmit);
}

void AdvertisingBearer::startNext() {
  if (!started_ || advertising_ || count_ == 0) return;
  const Buffer& b = queue_[head_];
  platform::AdvParams params;
  // §3.4.5.4: transmissions and their spacing follow the Network Transmit / Relay
  // Retransmit state; the controller adds advDelay (0..10 ms) to every event.
  params.interval = std::max(kMinAdvInterval, b.transmit.interval());
  params.num_events = static_cast<std::uint16_t>(b.transmit.transmissions());
  params.type = platform::AdvPduType::kAdvNonconnInd;
  params.tx_power_dbm = config_.tx_power_dbm;
  params.channel_map = 0x07;
  const Error e = platform_.ble->startAdvertising(params, ByteSpan(b.data.data(), b.len));
  head_ = (head_ + 1) % queue_.size();
  --count_;
  if (e != Error::kNone) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "adv_start_failed");
    startNext();
    return;
  }
  advertising_ = true;
  ++stats_.sent;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx,
                  b.data[1] == kAdTypeMeshMessage ? "mesh_message" : "mesh_beacon");
}

void AdvertisingBearer::onAdvertisingDone() {
  advertising_ = false;
  startNext();
}

void AdvertisingBearer::onAdvReport(const platform::AdvReport& report) {
  if (report.type != platform::AdvPduType::kAdvNonconnInd) return;
  // AdvData is a sequence of AD structures: Length | AD type | data (Length - 1 octets).
  ByteReader r(report.data);
  while (!r.atEnd()) {
    const std::uint8_t len = r.u8();
    if (len == 0) break;  // early termination (Core Vol 3 Part C 11)
    const ByteSpan ad = r.bytes(len);
    if (!r.ok()) {
      ++stats_.rx_malformed;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "malformed_ad");
      return;
    }
    const ByteSpan payload = ad.subspan(1);
    switch (ad[0]) {
      case kAdTypeMeshMessage:
        ++stats_.rx_messages;
        if (network_ != nullptr) network_->receive(interface_, payload, report.rssi_dbm);
        break;
      case kAdTypeMeshBeacon:
        ++stats_.rx_beacons;
        if (listener_ != nullptr) listener_->onMeshBeacon(payload, report.rssi_dbm);
        break;
      case kAdTypePbAdv:
        if (listener_ != nullptr) listener_->onPbAdv(payload, report.rssi_dbm);
        break;
      default:
        break;
    }
  }
}

}  // namespace lpm::btmesh
