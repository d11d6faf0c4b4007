#include "lpmesh/sim/radio_802154.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "lpmesh/sim/pcap.hpp"

namespace lpm::sim {

namespace {

bool validChannel(std::uint8_t ch) {
  return ch >= platform::k802154MinChannel && ch <= platform::k802154MaxChannel;
}

std::int8_t toInt8Dbm(double dbm) {
  return static_cast<std::int8_t>(std::clamp(std::lround(dbm), -127L, 127L));
}

}  // namespace

SimRadio802154::SimRadio802154(Kernel& kernel, Medium& medium, const NodeClock& clock, Eui64 eui64)
    : kernel_(kernel),
      medium_(medium),
      clock_(clock),
      eui64_(eui64),
      cca_threshold_dbm_(medium.phy().cca_threshold_dbm) {}

SimRadio802154::~SimRadio802154() {
  releasePending();
  kernel_.cancel(event_);
  kernel_.cancel(notify_event_);
}

void SimRadio802154::onEvent(void* self, std::uint64_t code) {
  auto* r = static_cast<SimRadio802154*>(self);
  switch (code) {
    case kLeadStart:
      r->event_ = EventId{};
      r->beginLead();
      break;
    case kCcaEnd: {
      r->event_ = EventId{};
      const double energy = r->medium_.endEnergyMeasure(r->port_);
      if (energy >= static_cast<double>(r->cca_threshold_dbm_)) {
        ++r->stats_.cca_busy;
        r->releasePending();
        r->op_ = Op::kIdle;
        r->restoreReceiver();
        if (r->client_ != nullptr) {
          r->client_->onTxDone(platform::TxStatus::kChannelBusy,
                               r->clock_.toLocal(r->kernel_.now()));
        }
        break;
      }
      r->op_ = Op::kTurnaround;
      r->event_ = r->kernel_.schedule(r->tx_start_, &SimRadio802154::onEvent, r, kTxStart);
      break;
    }
    case kTxStart:
      r->event_ = EventId{};
      r->startFrame();
      break;
    case kEdEnd: {
      r->event_ = EventId{};
      const double energy = r->medium_.endEnergyMeasure(r->port_);
      r->op_ = Op::kIdle;
      r->restoreReceiver();
      if (r->client_ != nullptr) {
        r->client_->onEnergyDetectDone(
            static_cast<std::int8_t>(std::clamp(std::floor(energy), -127.0, 127.0)));
      }
      break;
    }
    case kNotifyAbort:
      r->notify_event_ = EventId{};
      if (r->client_ != nullptr) {
        r->client_->onTxDone(platform::TxStatus::kAborted, r->clock_.toLocal(r->kernel_.now()));
      }
      break;
    default:
      break;
  }
}

Error SimRadio802154::transmit(const platform::Tx802154& tx) {
  if (!powered_) return Error::kInvalidState;
  if (op_ != Op::kIdle) return Error::kBusy;
  if (!validChannel(tx.channel) || tx.mpdu.size() > platform::k802154MaxMpdu) {
    return Error::kInvalidArgs;
  }
  TxRecord& rec = medium_.allocTx();
  rec.kind = SignalKind::k802154;
  rec.channel = tx.channel;
  rec.freq_khz = channelKhz802154(tx.channel);
  rec.tx_dbm = tx.tx_power_dbm;
  rec.asn = tx.asn;
  const std::size_t n = tx.mpdu.size();
  if (n > 0) std::memcpy(rec.data.data(), tx.mpdu.data(), n);
  const std::uint16_t fcs = fcs16(tx.mpdu);
  rec.data[n] = static_cast<std::uint8_t>(fcs);
  rec.data[n + 1] = static_cast<std::uint8_t>(fcs >> 8);
  rec.len = static_cast<std::uint16_t>(n + platform::k802154FcsSize);
  tx_rec_ = &rec;
  tx_channel_ = tx.channel;
  tx_cca_ = tx.cca;
  const SimTime now = kernel_.now();
  const Duration lead =
      tx.cca ? platform::k802154CcaTime + platform::k802154Turnaround : platform::k802154Turnaround;
  const SimTime earliest = now + lead;
  tx_start_ = tx.at ? std::max(clock_.toSim(*tx.at), earliest) : earliest;
  const SimTime lead_start = tx_start_ - lead;
  if (lead_start > now) {
    op_ = Op::kWaitLead;
    event_ = kernel_.schedule(lead_start, &SimRadio802154::onEvent, this, kLeadStart);
  } else {
    beginLead();
  }
  return Error::kNone;
}

void SimRadio802154::beginLead() {
  medium_.listen(port_, channelKhz802154(tx_channel_), /*lockable=*/false);
  if (tx_cca_) {
    op_ = Op::kCca;
    medium_.beginEnergyMeasure(port_);
    event_ = kernel_.schedule(kernel_.now() + platform::k802154CcaTime, &SimRadio802154::onEvent,
                              this, kCcaEnd);
  } else {
    op_ = Op::kTurnaround;
    event_ = kernel_.schedule(tx_start_, &SimRadio802154::onEvent, this, kTxStart);
  }
}

void SimRadio802154::startFrame() {
  TxRecord& rec = *tx_rec_;
  tx_rec_ = nullptr;
  op_ = Op::kTx;
  medium_.startTx(port_, rec);
}

void SimRadio802154::releasePending() {
  if (tx_rec_ != nullptr) {
    medium_.releaseTx(*tx_rec_);
    tx_rec_ = nullptr;
  }
}

void SimRadio802154::onTransmitEnd(const TxRecord& tx, bool aborted) {
  if (aborted) return;  // sleep() / powerOff() handle their own bookkeeping
  op_ = Op::kIdle;
  restoreReceiver();
  if (client_ != nullptr) {
    client_->onTxDone(platform::TxStatus::kOk, clock_.toLocal(tx.start + k802154SfdEnd));
  }
}

void SimRadio802154::restoreReceiver() {
  if (rx_on_) {
    medium_.listen(port_, channelKhz802154(rx_channel_), /*lockable=*/true);
  } else {
    medium_.stopListening(port_, RadioState::kSleep);
  }
}

Error SimRadio802154::receive(std::uint8_t channel) {
  if (!powered_) return Error::kInvalidState;
  if (!validChannel(channel)) return Error::kInvalidArgs;
  rx_on_ = true;
  rx_channel_ = channel;
  if (op_ == Op::kIdle || op_ == Op::kWaitLead) {
    medium_.listen(port_, channelKhz802154(channel), /*lockable=*/true);
  }
  return Error::kNone;
}

void SimRadio802154::cancelOp() {
  const bool tx_pending =
      op_ == Op::kWaitLead || op_ == Op::kCca || op_ == Op::kTurnaround || op_ == Op::kTx;
  if (op_ == Op::kCca || op_ == Op::kEnergyDetect) (void)medium_.endEnergyMeasure(port_);
  if (op_ == Op::kTx) medium_.abortTx(port_);
  releasePending();
  kernel_.cancel(event_);
  event_ = EventId{};
  op_ = Op::kIdle;
  if (tx_pending && !kernel_.isPending(notify_event_)) {
    notify_event_ = kernel_.schedule(kernel_.now(), &SimRadio802154::onEvent, this, kNotifyAbort);
  }
}

void SimRadio802154::sleep() {
  if (!powered_) return;
  cancelOp();
  rx_on_ = false;
  medium_.stopListening(port_, RadioState::kSleep);
}

Error SimRadio802154::energyDetect(std::uint8_t channel, Duration duration) {
  if (!powered_) return Error::kInvalidState;
  if (op_ != Op::kIdle) return Error::kBusy;
  if (!validChannel(channel) || duration.count() <= 0) return Error::kInvalidArgs;
  ed_channel_ = channel;
  op_ = Op::kEnergyDetect;
  medium_.listen(port_, channelKhz802154(channel), /*lockable=*/false);
  medium_.beginEnergyMeasure(port_);
  event_ = kernel_.schedule(kernel_.now() + duration, &SimRadio802154::onEvent, this, kEdEnd);
  return Error::kNone;
}

std::int8_t SimRadio802154::rssiNow() const {
  if (medium_.state(port_) != RadioState::kRx) return -127;
  return toInt8Dbm(medium_.energyDbm(port_));
}

void SimRadio802154::onFrameReceived(const TxRecord& tx, const RxMeasure& measure) {
  if (client_ == nullptr || tx.len < platform::k802154FcsSize) return;
  platform::Rx802154 frame;
  frame.channel = tx.channel;
  frame.mpdu = ByteSpan(tx.data.data(), tx.len - platform::k802154FcsSize);
  frame.rssi_dbm = toInt8Dbm(measure.rssi_dbm);
  frame.lqi = lqiFromSinrDb(measure.min_sinr_db);
  frame.sfd_time = clock_.toLocal(tx.start + k802154SfdEnd);
  frame.asn = tx.asn;
  client_->onRx(frame);
}

void SimRadio802154::powerOff() {
  const bool was_tx = op_ == Op::kTx;
  if (op_ == Op::kCca || op_ == Op::kEnergyDetect) (void)medium_.endEnergyMeasure(port_);
  if (was_tx) medium_.abortTx(port_);
  releasePending();
  kernel_.cancel(event_);
  kernel_.cancel(notify_event_);
  event_ = EventId{};
  notify_event_ = EventId{};
  op_ = Op::kIdle;
  rx_on_ = false;
  client_ = nullptr;
  powered_ = false;
  medium_.stopListening(port_, RadioState::kOff);
}

void SimRadio802154::powerOn() {
  cca_threshold_dbm_ = medium_.phy().cca_threshold_dbm;
  powered_ = true;
  op_ = Op::kIdle;
  rx_on_ = false;
  medium_.stopListening(port_, RadioState::kSleep);
}

}  // namespace lpm::sim
