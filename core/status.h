// Status and Result<T>: how every fallible internal call reports failure.
//
// Errors travel as return values, never exceptions. A Status carries a public status code
// (ringlm_status, from include/ringlm.h) and a short message formatted into an inline buffer, so
// reporting an error never touches the heap (decode runs with no heap at all).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "ringlm.h"

namespace ringlm {

class [[nodiscard]] Status {
 public:
  static constexpr size_t kMessageCapacity = 192;

  Status() = default;
  static Status ok() { return Status(); }

  // printf-style message; truncated (never overflowing) at kMessageCapacity - 1 bytes.
  static Status error(ringlm_status code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  bool is_ok() const { return code_ == RINGLM_OK; }
  ringlm_status code() const { return code_; }
  const char* message() const { return code_ == RINGLM_OK ? "ok" : message_; }

 private:
  ringlm_status code_ = RINGLM_OK;
  char message_[kMessageCapacity] = {0};
};

// Holds a value or an error, never both. Access value() only after checking is_ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : has_value_(true) { new (&storage_) T(std::move(value)); }  // NOLINT: implicit on purpose
  Result(Status status) : status_(status) {}                                    // NOLINT
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) noexcept : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (&storage_) T(std::move(other.value()));
  }
  ~Result() {
    if (has_value_) value().~T();
  }

  bool is_ok() const { return has_value_; }
  const Status& status() const { return status_; }
  T& value() { return *reinterpret_cast<T*>(&storage_); }
  const T& value() const { return *reinterpret_cast<const T*>(&storage_); }

 private:
  Status status_;
  bool has_value_ = false;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace ringlm

// Propagate a failed Status to the caller.
#define RINGLM_TRY(expr)                         \
  do {                                           \
    ::ringlm::Status ringlm_try_status_ = (expr); \
    if (!ringlm_try_status_.is_ok()) return ringlm_try_status_; \
  } while (0)

// Fail with `code` and a message unless `cond` holds.
#define RINGLM_CHECK(cond, code, ...)                        \
  do {                                                       \
    if (!(cond)) return ::ringlm::Status::error(code, __VA_ARGS__); \
  } while (0)
