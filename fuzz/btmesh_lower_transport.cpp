// Fuzz target for the Bluetooth Mesh lower transport PDU formats (Mesh 1.1 §3.5.2), the
// Segment Acknowledgment message and the Transport Control messages (§3.6.5): arbitrary
// octets are rejected with an Error or decode to fields that encode back to the input
// (RFU bits, which decoders ignore, aside).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "lpmesh/btmesh/lower_transport.hpp"
#include "lpmesh/btmesh/upper_transport.hpp"

namespace {

using namespace lpm::btmesh;

template <class T>
void roundTrip(lpm::ByteSpan params) {
  auto parsed = T::parse(params);
  if (!parsed.ok()) return;
  const lpm::Bytes encoded = parsed->encode();
  auto again = T::parse(encoded);
  if (!again.ok() || !(*again == *parsed)) __builtin_trap();
}

void controlMessage(std::uint8_t opcode, lpm::ByteSpan params) {
  (void)validateControlMessage(opcode, params);
  switch (static_cast<ControlOpcode>(opcode & 0x7F)) {
    case ControlOpcode::kFriendPoll:
      roundTrip<FriendPoll>(params);
      break;
    case ControlOpcode::kFriendUpdate:
      roundTrip<FriendUpdate>(params);
      break;
    case ControlOpcode::kFriendRequest:
      roundTrip<FriendRequest>(params);
      break;
    case ControlOpcode::kFriendOffer:
      roundTrip<FriendOffer>(params);
      break;
    case ControlOpcode::kFriendClear:
    case ControlOpcode::kFriendClearConfirm:
      roundTrip<FriendClear>(params);
      break;
    case ControlOpcode::kFriendSubscriptionListAdd:
    case ControlOpcode::kFriendSubscriptionListRemove:
      roundTrip<FriendSubscriptionList>(params);
      break;
    case ControlOpcode::kFriendSubscriptionListConfirm:
      roundTrip<FriendSubscriptionListConfirm>(params);
      break;
    case ControlOpcode::kHeartbeat:
      roundTrip<Heartbeat>(params);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool ctl = (data[0] & 1U) != 0;
  const lpm::ByteSpan pdu(data + 1, size - 1);

  auto parsed = LowerTransportPdu::parse(ctl, pdu);
  if (parsed.ok()) {
    lpm::Bytes encoded;
    if (parsed->encode(encoded) != lpm::Error::kNone) __builtin_trap();
    lpm::Bytes expected(pdu.begin(), pdu.end());
    if (ctl && parsed->seg) expected[1] &= 0x7F;  // RFU bit of a segmented control message
    if (encoded != expected) __builtin_trap();
    if (parsed->seg) {
      const auto first = seqFromSeqZero(0xFFFFFF, parsed->seq_zero);
      if (!first || (*first & kSeqZeroMask) != parsed->seq_zero) __builtin_trap();
    } else if (ctl && parsed->opcode == kSegmentAckOpcode) {
      auto ack = SegmentAck::parse(parsed->payload);
      if (ack.ok()) {
        auto bytes = ack->encode();
        lpm::Bytes exp(parsed->payload.begin(), parsed->payload.end());
        exp[1] &= 0xFC;  // RFU bits
        if (!std::equal(bytes.begin(), bytes.end(), exp.begin(), exp.end())) __builtin_trap();
      }
    } else if (ctl) {
      controlMessage(parsed->opcode, parsed->payload);
    }
  }
  // The Transport Control message decoders also see raw parameters for every opcode.
  controlMessage(data[0] >> 1, pdu);
  return 0;
}
