#include "runtime/attention.h"

#include <cmath>
#include <cstring>

namespace ringlm {

namespace {

bool visible(int64_t pk, int64_t p, const AttentionWindow& w) { return pk >= 0 && pk <= p && (pk < w.n_sinks || p - pk < w.window); }

float dot_cached(const Kernels& k, const KvCache& cache, int32_t layer, uint32_t slot, int32_t head, const float* q) {
  const size_t hd = static_cast<size_t>(cache.head_dim());
  const void* row = cache.key(layer, slot, head);
  switch (cache.type()) {
    case KvType::kF32: return k.dot(q, static_cast<const float*>(row), hd);
    case KvType::kBF16: return k.dot_bf16(q, static_cast<const uint16_t*>(row), hd);
    case KvType::kInt8: return k.dot_i8(q, static_cast<const int8_t*>(row), hd) * cache.key_scale(layer, slot, head);
  }
  return 0.0f;
}

void axpy_cached(const Kernels& k, const KvCache& cache, int32_t layer, uint32_t slot, int32_t head, float a, float* out) {
  const size_t hd = static_cast<size_t>(cache.head_dim());
  const void* row = cache.value(layer, slot, head);
  switch (cache.type()) {
    case KvType::kF32: k.axpy(a, static_cast<const float*>(row), out, hd); break;
    case KvType::kBF16: k.axpy_bf16(a, static_cast<const uint16_t*>(row), out, hd); break;
    case KvType::kInt8: k.axpy_i8(a * cache.value_scale(layer, slot, head), static_cast<const int8_t*>(row), out, hd); break;
  }
}

}  // namespace

void attend(const Kernels& k, const KvCache& cache, int32_t layer, const StagedKv& staged, const AttentionWindow& win,
            const float* q_abs, const float* q_sink, int64_t pos, int32_t n_head, int32_t n_head_kv,
            int32_t head_begin, int32_t head_end, float* scores, float* out) {
  const int32_t hd = cache.head_dim();
  const size_t kv_dim = static_cast<size_t>(n_head_kv) * hd;
  const int32_t group = n_head / n_head_kv;
  const float sqrt_hd = std::sqrt(static_cast<float>(hd));
  const int64_t* positions = cache.positions();
  const uint32_t n_slots = cache.slots_in_use();
  // Staged tokens the query can see: those at or before it.
  const int32_t n_staged = static_cast<int32_t>(pos - staged.start_pos + 1);

  for (int32_t h = head_begin; h < head_end; ++h) {
    const int32_t kvh = h / group;  // GQA: `group` query heads share K/V head kvh
    const float* qa = q_abs + static_cast<size_t>(h) * hd;
    const float* qs = q_sink + static_cast<size_t>(h) * hd;
    float* sc = scores;
    // Cache slots hold only tokens from before this call (staging keeps them untouched).
    for (uint32_t slot = 0; slot < n_slots; ++slot) {
      const int64_t pk = positions[slot];
      if (!visible(pk, pos, win)) {
        sc[slot] = -INFINITY;
        continue;
      }
      const float* q = (win.sink_query && pk < win.n_sinks) ? qs : qa;
      sc[slot] = dot_cached(k, cache, layer, slot, kvh, q) / sqrt_hd;
    }
    float* ss = sc + n_slots;
    for (int32_t j = 0; j < n_staged; ++j) {
      const int64_t pk = staged.start_pos + j;
      if (!visible(pk, pos, win)) {
        ss[j] = -INFINITY;
        continue;
      }
      const float* q = (win.sink_query && pk < win.n_sinks) ? qs : qa;
      ss[j] = k.dot(q, staged.k + static_cast<size_t>(j) * kv_dim + static_cast<size_t>(kvh) * hd, static_cast<size_t>(hd)) / sqrt_hd;
    }
    k.softmax(sc, n_slots + static_cast<size_t>(n_staged));

    float* o = out + static_cast<size_t>(h) * hd;
    std::memset(o, 0, static_cast<size_t>(hd) * sizeof(float));
    for (uint32_t slot = 0; slot < n_slots; ++slot) {
      if (sc[slot] != 0.0f) axpy_cached(k, cache, layer, slot, kvh, sc[slot], o);
    }
    for (int32_t j = 0; j < n_staged; ++j) {
      if (ss[j] != 0.0f) k.axpy(ss[j], staged.v + static_cast<size_t>(j) * kv_dim + static_cast<size_t>(kvh) * hd, o, static_cast<size_t>(hd));
    }
  }
}

}  // namespace ringlm
