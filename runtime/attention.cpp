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
    for (int32_t g = 0; g < nq; ++g) {
      const float* qa = q_of(q_abs, g);
      const float* qs = q_of(q_sink, g);
      float* sc = scores_of(g);
      // Mask the invisible slots; rescore sinks seen from their cache position (a few at most).
      for (uint32_t slot = 0; slot < n_slots; ++slot) {
        const int64_t pk = positions[slot];
        if (!visible(pk, pos, win)) {
          sc[slot] = -INFINITY;
        } else if (win.sink_query && pk < win.n_sinks && qs != qa) {
          k.dot_rows(keys.from(slot), qs, 1, hdz, inv_sqrt_hd, sc + slot);
        }
      }
      float* ss = sc + n_slots;
      const KvRows staged_keys{staged.k + static_cast<size_t>(kvh) * hd, kv_dim, KvRowType::kF32, nullptr, 0};
      k.dot_rows(staged_keys, qa, static_cast<size_t>(n_staged), hdz, inv_sqrt_hd, ss);
      for (int32_t j = 0; j < n_staged; ++j) {
        const int64_t pk = staged.start_pos + j;
        if (!visible(pk, pos, win)) {
          ss[j] = -INFINITY;
        } else if (win.sink_query && pk < win.n_sinks && qs != qa) {
          ss[j] = k.dot(qs, staged.k + static_cast<size_t>(j) * kv_dim + static_cast<size_t>(kvh) * hd, hdz) * inv_sqrt_hd;
        }
      }
      k.softmax(sc, n_slots + static_cast<size_t>(n_staged));
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
