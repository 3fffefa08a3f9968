#include "runtime/kv_cache.h"

namespace ringlm {

bool KvCache::layout(Arena& arena, const Shape& shape) {
  shape_ = shape;
  const size_t per_layer = static_cast<size_t>(shape.capacity) * row_floats();
  size_t total = 0;
  if (__builtin_mul_overflow(per_layer, static_cast<size_t>(shape.n_layer), &total)) return false;
  keys_ = arena.alloc<float>(total);
  values_ = arena.alloc<float>(total);
  positions_ = arena.alloc<int32_t>(shape.capacity);
  if (arena.exhausted()) return false;
  if (!arena.measuring()) reset();
  return true;
}

void KvCache::reset() {
  for (uint32_t s = 0; s < shape_.capacity; ++s) positions_[s] = -1;
  slots_in_use_ = 0;
}

void KvCache::commit(uint32_t slot, int32_t pos) {
  positions_[slot] = pos;
  if (slot + 1 > slots_in_use_) slots_in_use_ = slot + 1;
}

}  // namespace ringlm
