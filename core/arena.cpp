#include "core/arena.h"

namespace ringlm {

void* Arena::alloc_bytes(size_t count, size_t elem_size) {
  size_t bytes = 0;
  size_t start = 0;
  size_t end = 0;
  if (__builtin_mul_overflow(count, elem_size, &bytes) || __builtin_add_overflow(used_, kAlignment - 1, &start) ||
      __builtin_add_overflow(start & ~(kAlignment - 1), bytes, &end)) {
    exhausted_ = true;
    used_ = SIZE_MAX;
    return nullptr;
  }
  start &= ~(kAlignment - 1);
  used_ = end;
  if (end > capacity_) exhausted_ = true;
  if (base_ == nullptr || exhausted_) return nullptr;
  return base_ + start;
}

}  // namespace ringlm
