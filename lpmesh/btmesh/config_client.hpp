// Configuration Client model (Mesh Protocol 1.1 §4.4.2): sends Configuration messages
// (config_messages.hpp) to nodes, secured with their device keys, and matches the status
// that answers each request — by source and the status opcode §4.3.2 pairs with the
// request — or reports a timeout.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// The status opcode that answers a request opcode; std::nullopt for unacknowledged or
/// status messages.
std::optional<Opcode> configStatusOpcodeFor(Opcode request);

struct ConfigClientStats {
  std::uint64_t requests = 0;
  std::uint64_t statuses = 0;   ///< statuses that matched a request
  std::uint64_t unmatched = 0;  ///< statuses nobody waited for
  std::uint64_t timeouts = 0;
  std::uint64_t send_failed = 0;
};

class ConfigClient final : public ModelHandler {
 public:
  /// How long a request waits for its status (Zephyr CONFIG_BT_MESH_CFG_CLI_TIMEOUT 5 s).
  static constexpr Duration kDefaultTimeout = seconds(5);
  /// Requests that may wait at the same time.
  static constexpr std::size_t kMaxPending = 16;

  /// The status, or the error (kTimeout, or the send error), of one request.
  using Callback = std::function<void(Error result, Address src, const ConfigMessage* status)>;

  ConfigClient(const platform::Platform& platform, Access& access, KeyStore& keys);
  ~ConfigClient() override;
  ConfigClient(const ConfigClient&) = delete;
  ConfigClient& operator=(const ConfigClient&) = delete;

  /// Adds the model to the primary element (device key only).
  Model& attach();

  /// Sends `message` to node `dst` over subnet `net_idx`, secured with the device key
  /// KeyStore::remoteDevKey(dst) (this node's own device key when dst is one of its
  /// elements). kNoBufs when kMaxPending requests already wait; the send errors of the
  /// access layer otherwise.
  Error request(Address dst, NetKeyIndex net_idx, const ConfigMessage& message,
                Callback callback = {});

  Duration timeout = kDefaultTimeout;
  /// Every status received, matched or not.
  std::function<void(Address src, const ConfigMessage& status)> on_status;
  std::size_t pending() const;
  const ConfigClientStats& stats() const { return stats_; }

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
  KeyStore& keys_;
  std::vector<Pending> pending_;
  ConfigClientStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&ConfigClient::onTimer>};
};

}  // namespace lpm::btmesh
