// Health Client model (Mesh Protocol 1.1 §4.4.4): reads and clears a node's faults, runs
// its self-tests, sets its Fast Period Divisor and Attention Timer, and receives the
// Health Current Status messages Health Servers publish.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/health_server.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// Status opcode that answers an acknowledged Health request; std::nullopt otherwise.
std::optional<Opcode> healthStatusOpcodeFor(Opcode request);

struct HealthClientStats {
  std::uint64_t requests = 0;
  std::uint64_t statuses = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t current_status = 0;  ///< Health Current Status messages (published)
};

class HealthClient final : public ModelHandler {
 public:
  static constexpr std::size_t kMaxPending = 8;
  using Callback = std::function<void(Error result, Address src, const HealthMessage* status)>;

  HealthClient(const platform::Platform& platform, Access& access);
  ~HealthClient() override;
  HealthClient(const HealthClient&) = delete;
  HealthClient& operator=(const HealthClient&) = delete;

  Model& attach(std::uint8_t element = 0);

  /// Sends a Health request to `dst` with AppKey `app_idx` (bound to this model). An
  /// acknowledged request waits for its status (callback with kTimeout otherwise); an
  /// unacknowledged one calls back at once with kNone.
  Error request(Address dst, NetKeyIndex net_idx, AppKeyIndex app_idx, const HealthMessage& message,
                Callback callback = {});

  Duration timeout = seconds(5);
  /// Every Health message received (published Current Status included).
  std::function<void(Address src, const HealthMessage& message)> on_message;
  const HealthClientStats& stats() const { return stats_; }

  // ModelHandler
  bool handles(Opcode opcode) const override;
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;

 private:
  struct Pending {
    bool used = false;
    Address dst = 0;
    Opcode status_opcode = 0;
    LocalTime deadline{};
    Callback callback;
  };
  void onTimer();
  void arm();

  const platform::Platform& platform_;
  Access& access_;
  std::vector<Pending> pending_;
  HealthClientStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&HealthClient::onTimer>};
};

}  // namespace lpm::btmesh
