// KvCache: keys and values of every cached token, per layer, inside the session arena.
//
//   per layer l:  K[l] [capacity][n_head_kv][head_dim] f32
//                 V[l] [capacity][n_head_kv][head_dim] f32
//   positions     [capacity] int32: the absolute position held by each slot, -1 when empty
//
// Every layer writes a token's K/V to the same slot, so one positions array serves all layers.
// Attention treats a slot as visible to a query at position p when 0 <= positions[slot] <= p;
// that makes in-batch causality and, later, ring eviction the same check.
// Slot assignment: token at position p goes to slot p (the cache holds `capacity` positions).
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/arena.h"

namespace ringlm {

class KvCache {
 public:
  struct Shape {
    int32_t n_layer = 0;
    int32_t n_head_kv = 0;
    int32_t head_dim = 0;
    uint32_t capacity = 0;  // tokens
  };

  // Lays out storage in `arena` (measure mode: sizes only). False if the arena ran out.
  bool layout(Arena& arena, const Shape& shape);
  // Empties every slot.
  void reset();

  const Shape& shape() const { return shape_; }
  uint32_t capacity() const { return shape_.capacity; }
  size_t row_floats() const { return static_cast<size_t>(shape_.n_head_kv) * static_cast<size_t>(shape_.head_dim); }

  // Slot that stores position `pos`; the caller ensures pos < capacity.
  uint32_t slot_for(int32_t pos) const { return static_cast<uint32_t>(pos); }
  // Slots [0, slots_in_use()) may hold tokens; the rest have never been written.
  uint32_t slots_in_use() const { return slots_in_use_; }

  float* key(int32_t layer, uint32_t slot) { return keys_ + offset(layer, slot); }
  float* value(int32_t layer, uint32_t slot) { return values_ + offset(layer, slot); }
  const float* key(int32_t layer, uint32_t slot) const { return keys_ + offset(layer, slot); }
  const float* value(int32_t layer, uint32_t slot) const { return values_ + offset(layer, slot); }
  const int32_t* positions() const { return positions_; }

  // Records that `slot` now holds position `pos` (after all layers wrote it).
  void commit(uint32_t slot, int32_t pos);

 private:
  size_t offset(int32_t layer, uint32_t slot) const {
    return (static_cast<size_t>(layer) * shape_.capacity + slot) * row_floats();
  }

  Shape shape_;
  float* keys_ = nullptr;
  float* values_ = nullptr;
  int32_t* positions_ = nullptr;
  uint32_t slots_in_use_ = 0;
};

}  // namespace ringlm
