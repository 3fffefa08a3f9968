// Arena: bump allocation inside one caller-sized block, with a measure mode that runs the same
// layout code without a block to compute the exact size (the plan).
//
//   base                                                     base + capacity
//   | obj 0 | pad | obj 1 | pad | ...                 | unused |
//   every allocation starts at a multiple of kAlignment (64 bytes: a cache line, any SIMD width)
//
// Exhaustion never fails silently: alloc() returns nullptr, the arena remembers the bytes that
// were requested, and the caller turns that into RINGLM_ERR_ARENA_TOO_SMALL.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

class Arena {
 public:
  static constexpr size_t kAlignment = 64;

  // Measure mode: records sizes only; every alloc returns nullptr.
  static Arena measure() { return Arena(nullptr, SIZE_MAX); }
  // `base` must be kAlignment-aligned.
  Arena(void* base, size_t capacity) : base_(static_cast<uint8_t*>(base)), capacity_(capacity) {}

  template <typename T>
  T* alloc(size_t count) {
    return static_cast<T*>(alloc_bytes(count, sizeof(T)));
  }

  bool measuring() const { return base_ == nullptr; }
  // Bytes laid out so far (including alignment padding), whether or not they fit.
  size_t used() const { return used_; }
  size_t capacity() const { return capacity_; }
  // True if some allocation did not fit (or its size overflowed).
  bool exhausted() const { return exhausted_; }

 private:
  void* alloc_bytes(size_t count, size_t elem_size);

  uint8_t* base_;
  size_t capacity_;
  size_t used_ = 0;
  bool exhausted_ = false;
};

}  // namespace ringlm
