#include "runtime/kv_cache.h"

#include <cmath>
#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {

const char* kv_type_name(KvType type) {
  switch (type) {
    case KvType::kF32: return "f32";
    case KvType::kBF16: return "bf16";
    case KvType::kInt8: return "int8";
  }
  return "unknown";
}

size_t kv_type_bytes(KvType type) {
  switch (type) {
    case KvType::kF32: return 4;
    case KvType::kBF16: return 2;
    case KvType::kInt8: return 1;
  }
  return 0;
}

bool KvCache::layout(Arena& arena, const Shape& shape) {
  shape_ = shape;
  size_t rows = 0, bytes = 0;
  if (__builtin_mul_overflow(static_cast<size_t>(shape.n_layer) * static_cast<size_t>(shape.n_head_kv),
                             static_cast<size_t>(shape.capacity()), &rows) ||
      __builtin_mul_overflow(rows, row_bytes(), &bytes)) {
    return false;
  }
  keys_ = arena.alloc<uint8_t>(bytes);
  values_ = arena.alloc<uint8_t>(bytes);
  if (shape.type == KvType::kInt8) {
    key_scales_ = arena.alloc<float>(rows);
    value_scales_ = arena.alloc<float>(rows);
  }
  positions_ = arena.alloc<int64_t>(shape.capacity());
  if (arena.exhausted()) return false;
  if (!arena.measuring()) reset();
  return true;
}

void KvCache::reset() {
  for (uint32_t s = 0; s < capacity(); ++s) positions_[s] = -1;
  slots_in_use_ = 0;
}

namespace {

// Symmetric int8 per (token, head): scale = max|x| / 127, q = round(x / scale).
float quantize_int8_row(const float* x, int8_t* out, int32_t n) {
  float amax = 0.0f;
  for (int32_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float scale = amax / 127.0f;
  const float inv = scale > 0.0f ? 1.0f / scale : 0.0f;
  for (int32_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(std::lrintf(x[i] * inv));
  return scale;
}

}  // namespace

void KvCache::store(int32_t layer, uint32_t slot, const float* k, const float* v) {
  const int32_t hd = shape_.head_dim;
  for (int32_t h = 0; h < shape_.n_head_kv; ++h) {
    const float* kh = k + static_cast<size_t>(h) * hd;
    const float* vh = v + static_cast<size_t>(h) * hd;
    uint8_t* kd = keys_ + byte_offset(layer, slot, h);
    uint8_t* vd = values_ + byte_offset(layer, slot, h);
    switch (shape_.type) {
      case KvType::kF32:
        std::memcpy(kd, kh, static_cast<size_t>(hd) * sizeof(float));
        std::memcpy(vd, vh, static_cast<size_t>(hd) * sizeof(float));
        break;
      case KvType::kBF16:
        for (int32_t i = 0; i < hd; ++i) {
          reinterpret_cast<uint16_t*>(kd)[i] = f32_to_bf16(kh[i]);
          reinterpret_cast<uint16_t*>(vd)[i] = f32_to_bf16(vh[i]);
        }
        break;
      case KvType::kInt8:
        key_scales_[scale_index(layer, slot, h)] = quantize_int8_row(kh, reinterpret_cast<int8_t*>(kd), hd);
        value_scales_[scale_index(layer, slot, h)] = quantize_int8_row(vh, reinterpret_cast<int8_t*>(vd), hd);
        break;
    }
  }
}

void KvCache::clear_window() {
  for (uint32_t s = shape_.n_sinks; s < capacity(); ++s) positions_[s] = -1;
}

void KvCache::commit(uint32_t slot, int64_t pos) {
  positions_[slot] = pos;
  if (slot + 1 > slots_in_use_) slots_in_use_ = slot + 1;
}

// One list of ranges for both kinds of region: `self` is a KvCache or a const KvCache.
template <class Out, class Self>
size_t KvCache::regions_of(Self& self, Out* out) {
  const size_t bytes = self.n_rows() * self.row_bytes();
  size_t n = 0;
  out[n++] = Out{self.keys_, bytes};
  out[n++] = Out{self.values_, bytes};
  if (self.shape_.type == KvType::kInt8) {
    out[n++] = Out{self.key_scales_, self.n_rows() * sizeof(float)};
    out[n++] = Out{self.value_scales_, self.n_rows() * sizeof(float)};
  }
  out[n++] = Out{self.positions_, self.capacity() * sizeof(int64_t)};
  return n;
}

size_t KvCache::regions(Region out[5]) { return regions_of(*this, out); }
size_t KvCache::regions(ConstRegion out[5]) const { return regions_of(*this, out); }

}  // namespace ringlm
