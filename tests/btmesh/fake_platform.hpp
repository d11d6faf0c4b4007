// A fake platform for btmesh unit tests (reusable by any stack test): a manually
// advanced clock with a sorted list of armed timers, settings in a map (shareable across
// a simulated reboot), a counting trace, and a bearer that records what the network
// layer hands it.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::test {

/// platform::Timers with a clock that moves only when the test says so.
class FakeTimers final : public platform::Timers {
 public:
  LocalTime now() const override { return now_; }

  void startAt(platform::Timer& timer, LocalTime at) override {
    stop(timer);
    timer.fire_at_ = at < now_ ? now_ : at;
    timer.order_ = next_order_++;
    timer.slot_ = 0;
    armed_.push_back(&timer);
  }

  void stop(platform::Timer& timer) override {
    if (!timer.isRunning()) return;
    armed_.erase(std::remove(armed_.begin(), armed_.end(), &timer), armed_.end());
    timer.slot_ = platform::Timer::kNotRunning;
  }

  /// Fires the earliest armed timer if it is due at or before `limit`; the clock moves
  /// to its fire time. Returns false when none is due.
  bool fireNext(LocalTime limit) {
    if (armed_.empty()) return false;
    auto it = std::min_element(armed_.begin(), armed_.end(), [](const auto* a, const auto* b) {
      return std::tie(a->fire_at_, a->order_) < std::tie(b->fire_at_, b->order_);
    });
    platform::Timer* t = *it;
    if (t->fire_at_ > limit) return false;
    armed_.erase(it);
    t->slot_ = platform::Timer::kNotRunning;
    if (t->fire_at_ > now_) now_ = t->fire_at_;
    t->fire();
    return true;
  }

  /// Runs every timer due within `d` from now, in time order, and ends at now + d.
  void advance(Duration d) { runUntil(now_ + d); }
  void runUntil(LocalTime t) {
    while (fireNext(t)) {
    }
    if (t > now_) now_ = t;
  }
  /// Runs until no timer is armed or `max` has passed.
  void runAll(Duration max = seconds(3600)) { runUntil(now_ + max); }

  std::size_t armedCount() const { return armed_.size(); }
  /// Time of the earliest armed timer (kLocalTimeNever when none).
  LocalTime nextFireTime() const {
    LocalTime t = kLocalTimeNever;
    for (const auto* a : armed_)
      t = std::min(t, a->fire_at_);
    return t;
  }

 private:
  LocalTime now_{};
  std::uint64_t next_order_ = 0;
  std::vector<platform::Timer*> armed_;
};

/// platform::Settings in a map; outlive a Node to simulate a reboot.
class FakeSettings final : public platform::Settings {
 public:
  Result<Bytes> get(std::string_view key) const override {
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return Error::kNotFound;
    return it->second;
  }
  Error set(std::string_view key, ByteSpan value) override {
    values_[std::string(key)] = Bytes(value.begin(), value.end());
    ++writes_;
    return Error::kNone;
  }
  Error remove(std::string_view key) override {
    return values_.erase(std::string(key)) > 0 ? Error::kNone : Error::kNotFound;
  }
  void wipe() override { values_.clear(); }

  const std::map<std::string, Bytes>& values() const { return values_; }
  std::size_t writes() const { return writes_; }

 private:
  std::map<std::string, Bytes> values_;
  std::size_t writes_ = 0;
};

/// Counts trace events by (layer, kind, reason).
class FakeTrace final : public platform::Trace {
 public:
  void emit(const platform::TraceEvent& e) override {
    counts_[{std::string(e.layer), e.kind, std::string(e.reason)}] += e.value;
  }
  std::int64_t count(std::string_view layer, platform::TraceKind kind,
                     std::string_view reason) const {
    auto it = counts_.find({std::string(layer), kind, std::string(reason)});
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  std::map<std::tuple<std::string, platform::TraceKind, std::string>, std::int64_t> counts_;
};

/// Owns one node's fake platform pieces. The clock and the settings may be shared:
/// several nodes on one FakeTimers see one time line; a FakeSettings passed in survives
/// the FakePlatform (reboot).
class FakePlatform {
 public:
  explicit FakePlatform(FakeTimers* timers = nullptr, FakeSettings* settings = nullptr,
                        std::uint64_t seed = 1)
      : rng_(seed) {
    platform_.node_id = 0;
    platform_.timers = timers != nullptr ? timers : &own_timers_;
    platform_.settings = settings != nullptr ? settings : &own_settings_;
    platform_.random = &rng_;
    platform_.trace = &trace_;
  }
  FakePlatform(const FakePlatform&) = delete;
  FakePlatform& operator=(const FakePlatform&) = delete;

  const platform::Platform& platform() const { return platform_; }
  FakeTimers& timers() { return *static_cast<FakeTimers*>(platform_.timers); }
  FakeSettings& settings() { return *static_cast<FakeSettings*>(platform_.settings); }
  FakeTrace& trace() { return trace_; }

 private:
  FakeTimers own_timers_;
  FakeSettings own_settings_;
  FakeTrace trace_;
  Rng rng_;
  platform::Platform platform_{};
};

/// platform::BleController that records advertising/scanning requests; the test ends
/// advertising sets and injects advertising reports by hand.
class FakeBleController final : public platform::BleController {
 public:
  struct Advert {
    platform::AdvParams params;
    Bytes data;
    LocalTime time{};
  };
  explicit FakeBleController(const platform::Timers* clock = nullptr) : clock_(clock) {}

  void setClient(platform::BleControllerClient* client) override { client_ = client; }
  BleAddress address() const override { return BleAddress{0xC0, 0, 0, 0, 0, 1}; }
  Error startAdvertising(const platform::AdvParams& params,
                         std::span<const std::uint8_t> data) override {
    if (data.size() > platform::kBleMaxAdvData || params.channel_map == 0) {
      return Error::kInvalidArgs;
    }
    adverts.push_back(Advert{params, Bytes(data.begin(), data.end()),
                             clock_ != nullptr ? clock_->now() : LocalTime{}});
    advertising_ = true;
    return Error::kNone;
  }
  void stopAdvertising() override { advertising_ = false; }
  bool isAdvertising() const override { return advertising_; }
  Error startScanning(const platform::ScanParams& params) override {
    scan = params;
    scanning = true;
    return Error::kNone;
  }
  void stopScanning() override { scanning = false; }

  /// The current advertising set finished its num_events.
  void finishAdvertising() {
    advertising_ = false;
    if (client_ != nullptr) client_->onAdvertisingDone();
  }
  /// An ADV_NONCONN_IND with `data` as AdvData was heard.
  void hear(ByteSpan data, std::int8_t rssi = -60) {
    platform::AdvReport r;
    r.type = platform::AdvPduType::kAdvNonconnInd;
    r.data = data;
    r.rssi_dbm = rssi;
    if (client_ != nullptr) client_->onAdvReport(r);
  }

  std::vector<Advert> adverts;
  platform::ScanParams scan{};
  bool scanning = false;

 private:
  const platform::Timers* clock_;
  platform::BleControllerClient* client_ = nullptr;
  bool advertising_ = false;
};

/// A network interface that records every PDU it is asked to transmit.
class FakeBearer final : public btmesh::NetworkInterface {
 public:
  struct Sent {
    Bytes pdu;
    btmesh::NetworkHeader header;
    btmesh::NetKeyIndex net_idx = 0;
    btmesh::Credentials credentials = btmesh::Credentials::kFlooding;
    bool relay = false;
    btmesh::TransmitState transmit;
    LocalTime time{};
  };

  explicit FakeBearer(btmesh::BearerType type = btmesh::BearerType::kAdvertising,
                      const platform::Timers* clock = nullptr)
      : type_(type), clock_(clock) {}

  btmesh::BearerType bearerType() const override { return type_; }
  Error transmit(const btmesh::OutboundPdu& out) override {
    if (full_) return Error::kNoBufs;
    sent.push_back(Sent{Bytes(out.pdu.begin(), out.pdu.end()), out.header, out.net_idx,
                        out.credentials, out.relay, out.transmit,
                        clock_ != nullptr ? clock_->now() : LocalTime{}});
    if (on_transmit) on_transmit(sent.back());
    return Error::kNone;
  }

  void setFull(bool full) { full_ = full; }

  std::vector<Sent> sent;
  /// Called after each recorded PDU (e.g. to deliver it to other nodes).
  std::function<void(const Sent&)> on_transmit;

 private:
  btmesh::BearerType type_;
  const platform::Timers* clock_;
  bool full_ = false;
};

}  // namespace lpm::test
