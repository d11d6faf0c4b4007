#include "lpmesh/scenario/beacon_app.hpp"

#include <algorithm>

namespace lpm::scenario {
namespace {

// IEEE 802.15.4-2006 §7.2.1.1: frame type data (1), PAN ID compression (bit 6),
// destination and source addressing mode short (2) in bits 10-11 and 14-15, version 0.
constexpr std::uint16_t kFrameControl = 0x0001 | 0x0040 | 0x0800 | 0x8000;
constexpr std::uint16_t kBroadcastShort = 0xffff;
constexpr std::uint8_t kAdTypeManufacturer = 0xff;  // Core Supplement Part A §1.4
constexpr std::string_view kLayer = "beacon";

std::string_view counterKey(BeaconPhy phy) {
  return phy == BeaconPhy::kIeee802154 ? "beacon/counter/802154" : "beacon/counter/ble";
}

}  // namespace

Bytes encodeBeacon802154(BeaconId id, std::uint16_t pan_id, std::size_t size) {
  size = std::clamp(size, kBeacon802154MinSize, platform::k802154MaxMpdu);
  Bytes out(size, 0);
  ByteWriter w(out);
  w.u16le(kFrameControl);
  w.u8(static_cast<std::uint8_t>(id.counter));  // sequence number
  w.u16le(pan_id);
  w.u16le(kBroadcastShort);
  w.u16le(static_cast<std::uint16_t>(id.node));
  w.bytes(kBeaconMagic);
  w.u32le(id.node);
  w.u32le(id.counter);
  // The rest stays zero: filler up to the configured size.
  return out;
}

Result<BeaconId> decodeBeacon802154(ByteSpan mpdu, std::uint16_t pan_id) {
  ByteReader r(mpdu);
  const std::uint16_t fc = r.u16le();
  const std::uint8_t seq = r.u8();
  const std::uint16_t pan = r.u16le();
  const std::uint16_t dst = r.u16le();
  const std::uint16_t src = r.u16le();
  const auto magic = r.array<2>();
  BeaconId id;
  id.node = r.u32le();
  id.counter = r.u32le();
  if (!r.ok()) return r.error();
  if (fc != kFrameControl || pan != pan_id || dst != kBroadcastShort || magic != kBeaconMagic ||
      src != static_cast<std::uint16_t>(id.node) || seq != static_cast<std::uint8_t>(id.counter)) {
    return Error::kMalformed;
  }
  return id;
}

Bytes encodeBeaconAdvData(BeaconId id, std::size_t size) {
  size = std::clamp(size, kBeaconBleMinSize, platform::kBleMaxAdvData);
  Bytes out(size, 0);
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(size - 1));  // AD length: type + data
  w.u8(kAdTypeManufacturer);
  w.u16le(kBeaconCompanyId);
  w.bytes(kBeaconMagic);
  w.u32le(id.node);
  w.u32le(id.counter);
  return out;
}

Result<BeaconId> decodeBeaconAdvData(ByteSpan adv_data) {
  ByteReader r(adv_data);
  while (!r.atEnd()) {
    const std::uint8_t len = r.u8();
    if (len == 0) break;  // Core Vol 3 Part C §11: a zero length ends the significant part
    ByteSpan ad = r.bytes(len);
    if (!r.ok()) return Error::kMalformed;
    ByteReader a(ad);
    const std::uint8_t type = a.u8();
    const std::uint16_t company = a.u16le();
    const auto magic = a.array<2>();
    BeaconId id;
    id.node = a.u32le();
    id.counter = a.u32le();
    if (a.ok() && type == kAdTypeManufacturer && company == kBeaconCompanyId &&
        magic == kBeaconMagic) {
      return id;
    }
  }
  return Error::kNotFound;
}

BeaconApp::BeaconApp(platform::Platform& platform, const BeaconParams& params,
                     BeaconObserver* observer)
    : platform_(platform), params_(params), observer_(observer) {}

BeaconApp::~BeaconApp() {
  platform_.timers->stop(tx_timer_);
  if (params_.phy == BeaconPhy::kIeee802154) {
    if (platform_.radio802154 != nullptr) {
      platform_.radio802154->setClient(nullptr);
      platform_.radio802154->sleep();
    }
  } else if (platform_.ble != nullptr) {
    platform_.ble->setClient(nullptr);
    platform_.ble->stopAdvertising();
    platform_.ble->stopScanning();
  }
  if (started_ && observer_ != nullptr) observer_->onBeaconDown(platform_.node_id, params_.phy);
}

void BeaconApp::start() {
  started_ = true;
  if (auto stored = platform_.settings->get(counterKey(params_.phy)); stored.ok()) {
    ByteReader r(*stored);
    const std::uint32_t v = r.u32le();
    if (r.ok()) counter_ = reserved_ = v;
  }
  if (params_.phy == BeaconPhy::kIeee802154) {
    platform_.radio802154->setClient(this);
    if (platform_.radio802154->receive(params_.channel) != Error::kNone) {
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "rx_on_failed");
    }
  } else {
    platform_.ble->setClient(this);
    platform::ScanParams scan;
    scan.channel_map = params_.ble_channel_map;
    if (platform_.ble->startScanning(scan) != Error::kNone) {
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "scan_failed");
    }
  }
  if (observer_ != nullptr) observer_->onBeaconUp(platform_.node_id, params_.phy);
  // Random phase: nodes powered on together do not all send at once.
  const auto phase = Duration{static_cast<std::int64_t>(
      platform_.random->below(static_cast<std::uint64_t>(params_.period.count())))};
  slot_ = platform_.timers->now() + params_.start_delay + phase;
  scheduleNext();
}

void BeaconApp::scheduleNext() {
  Duration jitter{0};
  if (params_.jitter.count() > 0) {
    jitter = Duration{static_cast<std::int64_t>(
        platform_.random->below(static_cast<std::uint64_t>(params_.jitter.count()) + 1))};
  }
  platform_.timers->startAt(tx_timer_, slot_ + jitter);
}

void BeaconApp::onTxTimer() {
  transmit();
  slot_ += params_.period;
  scheduleNext();
}

std::uint32_t BeaconApp::takeCounter() {
  if (counter_ >= reserved_) {
    reserved_ = counter_ + kCounterBlock;
    std::array<std::uint8_t, 4> buf{};
    ByteWriter w(buf);
    w.u32le(reserved_);
    if (platform_.settings->set(counterKey(params_.phy), buf) != Error::kNone) {
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "settings_failed");
    }
  }
  return counter_++;
}

void BeaconApp::transmit() {
  if (busy_) {
    // The previous frame is still on air (period shorter than the air time).
    if (observer_ != nullptr) observer_->onBeaconSkipped(platform_.node_id, params_.phy);
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "busy");
    return;
  }
  const BeaconId id{platform_.node_id, takeCounter()};
  Error err = Error::kNone;
  if (params_.phy == BeaconPhy::kIeee802154) {
    frame_ = encodeBeacon802154(id, params_.pan_id, params_.size);
    platform::Tx802154 tx;
    tx.channel = params_.channel;
    tx.mpdu = frame_;
    tx.tx_power_dbm = params_.tx_power_dbm;
    tx.cca = params_.cca;
    err = platform_.radio802154->transmit(tx);
  } else {
    frame_ = encodeBeaconAdvData(id, params_.size);
    platform::AdvParams adv;
    adv.interval = std::clamp(params_.period, millis(20), millis(10240));
    adv.channel_map = params_.ble_channel_map;
    adv.tx_power_dbm = params_.tx_power_dbm;
    adv.type = platform::AdvPduType::kAdvNonconnInd;
    adv.num_events = 1;  // one event per beacon: the next one carries a new counter
    err = platform_.ble->startAdvertising(adv, frame_);
  }
  if (err != Error::kNone) {
    if (observer_ != nullptr) observer_->onBeaconSkipped(platform_.node_id, params_.phy);
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, errorName(err));
    return;
  }
  busy_ = true;
  in_flight_ = id.counter;
}

void BeaconApp::onTxDone(platform::TxStatus status, LocalTime /*sfd_time*/) {
  busy_ = false;
  if (status == platform::TxStatus::kOk) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "beacon");
    if (observer_ != nullptr) observer_->onBeaconSent(platform_.node_id, params_.phy, in_flight_);
  } else {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop,
                    status == platform::TxStatus::kChannelBusy ? "cca_busy" : "aborted");
    if (observer_ != nullptr) observer_->onBeaconSkipped(platform_.node_id, params_.phy);
  }
}

void BeaconApp::onAdvertisingDone() {
  busy_ = false;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "beacon");
  if (observer_ != nullptr) observer_->onBeaconSent(platform_.node_id, params_.phy, in_flight_);
}

void BeaconApp::onRx(const platform::Rx802154& frame) {
  const Result<BeaconId> id = decodeBeacon802154(frame.mpdu, params_.pan_id);
  if (!id.ok()) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "not_beacon");
    return;
  }
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "beacon");
  if (observer_ != nullptr)
    observer_->onBeaconReceived(platform_.node_id, params_.phy, *id, frame.rssi_dbm);
}

void BeaconApp::onAdvReport(const platform::AdvReport& report) {
  const Result<BeaconId> id = decodeBeaconAdvData(report.data);
  if (!id.ok()) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "not_beacon");
    return;
  }
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "beacon");
  if (observer_ != nullptr)
    observer_->onBeaconReceived(platform_.node_id, params_.phy, *id, report.rssi_dbm);
}

}  // namespace lpm::scenario
