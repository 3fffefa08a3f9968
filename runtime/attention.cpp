#include "runtime/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ringlm {

namespace {

bool visible(int64_t pk, int64_t p, const AttentionWindow& w) { return pk >= 0 && pk <= p && (pk < w.n_sinks || p - pk < w.window); }

}  // namespace

void attend(const Kernels& k, const KvCache& cache, int32_t layer, const StagedKv& staged, const AttentionWindow& win,
            const float* q_abs, const float* q_sink, int64_t pos, int32_t n_head, int32_t n_head_kv,
            int32_t head_begin, int32_t head_end, float* scores, size_t scores_stride, float* out) {
  const int32_t hd = cache.head_dim();
  const size_t hdz = static_cast<size_t>(hd);
  const size_t kv_dim = static_cast<size_t>(n_head_kv) * hd;
  const int32_t group = n_head / n_head_kv;
  const float inv_sqrt_hd = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t* positions = cache.positions();
  const uint32_t n_slots = cache.slots_in_use();
  // Staged tokens the query can see: those at or before it.
  const int32_t n_staged = static_cast<int32_t>(pos - staged.start_pos + 1);
  const bool sink_query = win.sink_query && q_sink != q_abs;  // sinks need their own query

  // GQA: the query heads [h0, h1) of this range that share K/V head kvh are served together.
  // Cached rows go by in blocks of kRowBlock, each block scored (and later summed) for every
  // query head of the group before the next is touched: a K or V row comes from memory once per
  // group, the other heads find it in L1. Per head the arithmetic is exactly that of one
  // dot_rows / axpy_rows call over all rows, so the split into blocks changes no bit.
  for (int32_t h0 = head_begin; h0 < head_end;) {
    const int32_t kvh = h0 / group;
    const int32_t h1 = std::min(head_end, (kvh + 1) * group);
    const int32_t nq = h1 - h0;
    auto q_of = [&](const float* q, int32_t g) { return q + static_cast<size_t>(h0 + g) * hdz; };
    auto scores_of = [&](int32_t g) { return scores + static_cast<size_t>(g) * scores_stride; };

    // Cache slots hold only tokens from before this call (staging keeps them untouched).
    const KvRows keys = cache.key_rows(layer, kvh);
    for (uint32_t j0 = 0; j0 < n_slots; j0 += kRowBlock) {
      const uint32_t nb = std::min<uint32_t>(kRowBlock, n_slots - j0);
      const KvRows block = keys.from(j0);
      for (int32_t g = 0; g < nq; ++g) k.dot_rows(block, q_of(q_abs, g), nb, hdz, inv_sqrt_hd, scores_of(g) + j0);
    }
    // Staged keys (this call's tokens), scored from index n_slots on.
    const KvRows staged_keys{staged.k + static_cast<size_t>(kvh) * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    for (int32_t g = 0; g < nq; ++g) {
      k.dot_rows(staged_keys, q_of(q_abs, g), static_cast<size_t>(n_staged), hdz, inv_sqrt_hd, scores_of(g) + n_slots);
    }
    // Visibility depends on positions only: decided once per key for the whole group. Invisible
    // keys are masked; sinks are rescored with each head's cache-position query (a few at most).
    auto settle = [&](size_t j, int64_t pk, auto&& rescore) {
      if (!visible(pk, pos, win)) {
        for (int32_t g = 0; g < nq; ++g) scores_of(g)[j] = -INFINITY;
      } else if (sink_query && pk < win.n_sinks) {
        for (int32_t g = 0; g < nq; ++g) rescore(q_of(q_sink, g), scores_of(g) + j);
      }
    };
    for (uint32_t slot = 0; slot < n_slots; ++slot) {
      settle(slot, positions[slot], [&](const float* qs, float* sc) { k.dot_rows(keys.from(slot), qs, 1, hdz, inv_sqrt_hd, sc); });
    }
    for (int32_t j = 0; j < n_staged; ++j) {
      const float* key = staged.k + static_cast<size_t>(j) * kv_dim + static_cast<size_t>(kvh) * hd;
      settle(n_slots + static_cast<size_t>(j), staged.start_pos + j,
             [&](const float* qs, float* sc) { *sc = k.dot(qs, key, hdz) * inv_sqrt_hd; });
    }
    for (int32_t g = 0; g < nq; ++g) {
      k.softmax(scores_of(g), n_slots + static_cast<size_t>(n_staged));
      std::memset(out + static_cast<size_t>(h0 + g) * hdz, 0, hdz * sizeof(float));
    }

    const KvRows values = cache.value_rows(layer, kvh);
    for (uint32_t j0 = 0; j0 < n_slots; j0 += kRowBlock) {
      const uint32_t nb = std::min<uint32_t>(kRowBlock, n_slots - j0);
      const KvRows block = values.from(j0);
      for (int32_t g = 0; g < nq; ++g) k.axpy_rows(block, scores_of(g) + j0, nb, hdz, out + static_cast<size_t>(h0 + g) * hdz);
    }
    const KvRows staged_values{staged.v + static_cast<size_t>(kvh) * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    for (int32_t g = 0; g < nq; ++g) {
      k.axpy_rows(staged_values, scores_of(g) + n_slots, static_cast<size_t>(n_staged), hdz,
                  out + static_cast<size_t>(h0 + g) * hdz);
    }
    h0 = h1;
  }
}

}  // namespace ringlm
