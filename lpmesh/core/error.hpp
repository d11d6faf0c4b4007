// Error codes shared by every layer, and Result<T> (a value or an Error).
//
// Stacks and decoders never throw (DESIGN.md, "Errors and bad input"): they return an
// Error, or a Result<T> that holds either a T or an Error other than kNone.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace lpm {

/// A small closed set. Add a value only when no existing one says what went wrong.
enum class [[nodiscard]] Error : std::uint8_t {
  kNone = 0,
  kTruncated,      ///< input shorter than its format requires
  kTrailing,       ///< bytes left over after a complete structure
  kMalformed,      ///< a field holds a value the format does not allow
  kUnsupported,    ///< well-formed, but a feature or reserved value not handled
  kTooLong,        ///< output does not fit the buffer or the format's maximum
  kAuthFailed,     ///< MIC / MAC / signature check failed
  kReplay,         ///< sequence number or counter already seen
  kNoBufs,         ///< a bounded pool or queue is full
  kNotFound,       ///< no such key, address, TLV or entry
  kAlreadyExists,  ///< entry exists and may not be duplicated
  kInvalidState,   ///< operation not allowed in the current state
  kInvalidArgs,    ///< caller passed a value outside the documented range
  kBusy,           ///< resource in use (radio transmitting, procedure running)
  kChannelBusy,    ///< CCA reported the channel busy
  kNoAck,          ///< acknowledgment not received after all attempts
  kTimeout,        ///< a procedure's timer expired
  kDropped,        ///< discarded by policy (filter, cache hit, TTL)
};

/// Stable lower-case name for logs, JSON and CLI messages.
constexpr std::string_view errorName(Error e) {
  switch (e) {
    case Error::kNone: return "none";
    case Error::kTruncated: return "truncated";
    case Error::kTrailing: return "trailing_bytes";
    case Error::kMalformed: return "malformed";
    case Error::kUnsupported: return "unsupported";
    case Error::kTooLong: return "too_long";
    case Error::kAuthFailed: return "auth_failed";
    case Error::kReplay: return "replay";
    case Error::kNoBufs: return "no_bufs";
    case Error::kNotFound: return "not_found";
    case Error::kAlreadyExists: return "already_exists";
    case Error::kInvalidState: return "invalid_state";
    case Error::kInvalidArgs: return "invalid_args";
    case Error::kBusy: return "busy";
    case Error::kChannelBusy: return "channel_busy";
    case Error::kNoAck: return "no_ack";
    case Error::kTimeout: return "timeout";
    case Error::kDropped: return "dropped";
  }
  return "unknown";
}

/// A T or an Error (never Error::kNone). Cheap to move; no heap use of its own.
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : error_(error) {          // NOLINT(google-explicit-constructor)
    assert(error != Error::kNone && "Result built from Error::kNone");
    if (error_ == Error::kNone) error_ = Error::kInvalidState;
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  Error error() const { return value_ ? Error::kNone : error_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T valueOr(T fallback) const { return value_ ? *value_ : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Error error_ = Error::kNone;
};

}  // namespace lpm

/// Propagate a failing Error from an expression returning Error.
#define LPM_TRY(expr)                                         \
  do {                                                        \
    if (const ::lpm::Error lpm_try_err_ = (expr);             \
        lpm_try_err_ != ::lpm::Error::kNone) {                \
      return lpm_try_err_;                                    \
    }                                                         \
  } while (0)

/// `LPM_TRY_ASSIGN(auto x, parseThing(r));` propagates the error of a Result.
#define LPM_CONCAT_INNER_(a, b) a##b
#define LPM_CONCAT_(a, b) LPM_CONCAT_INNER_(a, b)
#define LPM_TRY_ASSIGN(decl, expr) LPM_TRY_ASSIGN_IMPL_(LPM_CONCAT_(lpm_res_, __LINE__), decl, expr)
#define LPM_TRY_ASSIGN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.error();          \
  decl = std::move(tmp).value()
