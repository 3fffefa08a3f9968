#include "runtime/attention.h"

#include <cmath>
#include <cstring>

namespace ringlm {

namespace {

bool visible(int64_t pk, int64_t p, const AttentionWindow& w) { return pk >= 0 && pk <= p && (pk < w.n_sinks || p - pk < w.window); }

}  // namespace

void attend(const Kernels& k, const KvCache& cache, int32_t layer, const StagedKv& staged, const AttentionWindow& win,
            const float* q_abs, const float* q_sink, int64_t pos, int32_t n_head, int32_t n_head_kv,
            int32_t head_begin, int32_t head_end, float* scores, float* out) {
  const int32_t hd = cache.head_dim();
  const size_t kv_dim = static_cast<size_t>(n_head_kv) * hd;
  const int32_t group = n_head / n_head_kv;
  const float inv_sqrt_hd = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t* positions = cache.positions();
  const uint32_t n_slots = cache.slots_in_use();
  // Staged tokens the query can see: those at or before it.
  const int32_t n_staged = static_cast<int32_t>(pos - staged.start_pos + 1);

  for (int32_t h = head_begin; h < head_end; ++h) {
    const int32_t kvh = h / group;  // GQA: `group` query heads share K/V head kvh
    const float* qa = q_abs + static_cast<size_t>(h) * hd;
    const float* qs = q_sink + static_cast<size_t>(h) * hd;
    float* sc = scores;
    // Cache slots hold only tokens from before this call (staging keeps them untouched). Score
    // every slot in one kernel call, then mask the invisible ones and rescore sinks seen from
    // their cache position (a few slots at most).
    const KvRows keys = cache.key_rows(layer, kvh);
    k.dot_rows(keys, qa, n_slots, static_cast<size_t>(hd), inv_sqrt_hd, sc);
    for (uint32_t slot = 0; slot < n_slots; ++slot) {
      const int64_t pk = positions[slot];
      if (!visible(pk, pos, win)) {
        sc[slot] = -INFINITY;
      } else if (win.sink_query && pk < win.n_sinks && qs != qa) {
        KvRows one = keys;
        one.data = cache.key(layer, slot, kvh);
        if (one.scales != nullptr) one.scales += slot * one.scale_stride;
        k.dot_rows(one, qs, 1, static_cast<size_t>(hd), inv_sqrt_hd, sc + slot);
      }
    }
    float* ss = sc + n_slots;
    const KvRows staged_keys{staged.k + static_cast<size_t>(kvh) * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    k.dot_rows(staged_keys, qa, static_cast<size_t>(n_staged), static_cast<size_t>(hd), inv_sqrt_hd, ss);
    for (int32_t j = 0; j < n_staged; ++j) {
      const int64_t pk = staged.start_pos + j;
      if (!visible(pk, pos, win)) {
        ss[j] = -INFINITY;
      } else if (win.sink_query && pk < win.n_sinks && qs != qa) {
        ss[j] = k.dot(qs, staged.k + static_cast<size_t>(j) * kv_dim + static_cast<size_t>(kvh) * hd, static_cast<size_t>(hd)) * inv_sqrt_hd;
      }
    }
    k.softmax(sc, n_slots + static_cast<size_t>(n_staged));

    float* o = out + static_cast<size_t>(h) * hd;
    std::memset(o, 0, static_cast<size_t>(hd) * sizeof(float));
    k.axpy_rows(cache.value_rows(layer, kvh), sc, n_slots, static_cast<size_t>(hd), o);
    const KvRows staged_values{staged.v + static_cast<size_t>(kvh) * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    k.axpy_rows(staged_values, ss, static_cast<size_t>(n_staged), static_cast<size_t>(hd), o);
  }
}

}  // namespace ringlm
