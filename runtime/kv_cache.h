// KvCache: keys and values of the cached tokens, per layer, in a ring inside the session arena.
//
//   per layer l:  K[l] [capacity][n_head_kv][head_dim]  of the cache dtype (f32, bf16 or int8)
//                 V[l] [capacity][n_head_kv][head_dim]
//                 int8 only: K/V scales [capacity][n_head_kv] f32 (one per token and head)
//   positions     [capacity] int64: absolute position held by each slot, -1 when empty (64-bit:
//                 a streaming session's positions grow without bound)
//
// capacity = n_sinks + n_window. Token t goes to slot t while t < n_sinks (attention sinks, never
// evicted), then to n_sinks + (t - n_sinks) mod n_window: eviction is overwriting one slot — no
// memmove, no reallocation, constant memory for unbounded generation. Every layer stores a token
// in the same slot, so one positions array serves all layers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/arena.h"
#include "simd/kernels.h"

namespace ringlm {

enum class KvType : uint8_t { kF32 = 0, kBF16 = 1, kInt8 = 2 };

const char* kv_type_name(KvType type);
size_t kv_type_bytes(KvType type);  // bytes per element

class KvCache {
 public:
  struct Shape {
    int32_t n_layer = 0;
    int32_t n_head_kv = 0;
    int32_t head_dim = 0;
    uint32_t n_sinks = 0;
    uint32_t n_window = 0;
    KvType type = KvType::kF32;
    uint32_t capacity() const { return n_sinks + n_window; }
    // Slot that stores the token at sequence index t (t >= 0).
    uint32_t slot_for(int64_t t) const {
      if (t < static_cast<int64_t>(n_sinks)) return static_cast<uint32_t>(t);
      return n_sinks + static_cast<uint32_t>((t - n_sinks) % n_window);
    }
  };

  // Lays out storage in `arena` (measure mode: sizes only). False if the arena ran out.
  bool layout(Arena& arena, const Shape& shape);
  // Empties every slot.
  void reset();
  // Empties the window slots, keeping the sinks.
  void clear_window();

  const Shape& shape() const { return shape_; }
  uint32_t capacity() const { return shape_.capacity(); }
  KvType type() const { return shape_.type; }
  int32_t head_dim() const { return shape_.head_dim; }

  // Slot that stores the token at sequence index t (t >= 0).
  uint32_t slot_for(int64_t t) const { return shape_.slot_for(t); }
  // Slots [0, slots_in_use()) may hold tokens; the rest have never been written.
  uint32_t slots_in_use() const { return slots_in_use_; }
  const int64_t* positions() const { return positions_; }

  // Stores one token's K and V rows ([n_head_kv][head_dim] f32 each) for `layer` in `slot`,
  // converting to the cache dtype.
  void store(int32_t layer, uint32_t slot, const float* k, const float* v);
  // Records that `slot` now holds absolute position `pos` (after all layers stored it).
  void commit(uint32_t slot, int64_t pos);
  // Empties `slot` (a forward pass stopped after some layers had stored into it).
  void release(uint32_t slot) { positions_[slot] = -1; }

  // Raw access for the attention kernels: row of `slot` for K/V head `head` in `layer`.
  const void* key(int32_t layer, uint32_t slot, int32_t head) const { return keys_ + byte_offset(layer, slot, head); }
  const void* value(int32_t layer, uint32_t slot, int32_t head) const { return values_ + byte_offset(layer, slot, head); }
  // int8 scales (1.0 for other dtypes).
  float key_scale(int32_t layer, uint32_t slot, int32_t head) const {
    return shape_.type == KvType::kInt8 ? key_scales_[scale_index(layer, slot, head)] : 1.0f;
  }
  float value_scale(int32_t layer, uint32_t slot, int32_t head) const {
    return shape_.type == KvType::kInt8 ? value_scales_[scale_index(layer, slot, head)] : 1.0f;
  }

  // Every slot's row of K (or V) head `head` in `layer`, as one strided run for the kernels.
  KvRows key_rows(int32_t layer, int32_t head) const { return rows(keys_, key_scales_, layer, head); }
  KvRows value_rows(int32_t layer, int32_t head) const { return rows(values_, value_scales_, layer, head); }

  // The whole state as byte ranges, for snapshots: K, V, int8 scales (K, V), positions; a
  // snapshot restores them with set_slots_in_use.
  struct Region {
    void* data;
    size_t bytes;
  };
  struct ConstRegion {
    const void* data;
    size_t bytes;
  };
  size_t regions(Region out[5]);
  size_t regions(ConstRegion out[5]) const;
  void set_slots_in_use(uint32_t n) { slots_in_use_ = n <= capacity() ? n : capacity(); }

 private:
  size_t row_bytes() const { return static_cast<size_t>(shape_.head_dim) * kv_type_bytes(shape_.type); }
  size_t byte_offset(int32_t layer, uint32_t slot, int32_t head) const {
    return ((static_cast<size_t>(layer) * capacity() + slot) * static_cast<size_t>(shape_.n_head_kv) +
            static_cast<size_t>(head)) * row_bytes();
  }
  size_t scale_index(int32_t layer, uint32_t slot, int32_t head) const {
    return (static_cast<size_t>(layer) * capacity() + slot) * static_cast<size_t>(shape_.n_head_kv) +
           static_cast<size_t>(head);
  }
  KvRows rows(const uint8_t* base, const float* scales, int32_t layer, int32_t head) const {
    const bool i8 = shape_.type == KvType::kInt8;
    return KvRows{base + byte_offset(layer, 0, head), static_cast<size_t>(shape_.n_head_kv) * shape_.head_dim,
                  shape_.type == KvType::kF32 ? KvRowType::kF32 : i8 ? KvRowType::kI8 : KvRowType::kBF16,
                  i8 ? scales + scale_index(layer, 0, head) : nullptr, static_cast<size_t>(shape_.n_head_kv)};
  }
  template <class Out, class Self>
  static size_t regions_of(Self& self, Out* out);
  size_t n_rows() const {
    return static_cast<size_t>(shape_.n_layer) * capacity() * static_cast<size_t>(shape_.n_head_kv);
  }

  Shape shape_;
  uint8_t* keys_ = nullptr;
  uint8_t* values_ = nullptr;
  float* key_scales_ = nullptr;
  float* value_scales_ = nullptr;
  int64_t* positions_ = nullptr;
  uint32_t slots_in_use_ = 0;
};

}  // namespace ringlm
