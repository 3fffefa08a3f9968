// Attention of one query token over the KV cache plus the tokens of the current forward call.
//
// Keys of the current call are "staged": they sit in f32 scratch until every query of the layer
// has attended, and only then go into the ring. That keeps a prefill chunk exact even when it
// wraps the ring (a later token of the chunk would otherwise overwrite a slot an earlier query
// still needs), and lets the chunk see its own keys at full precision.
//
// Visibility of a key at position pk to a query at position p:
//   pk <= p  and  (pk < n_sinks  or  p - pk < window)
// Keys are stored rotated by their absolute position, so window scores depend only on p - pk.
// In streaming mode sink keys (rotated at their own small positions) are scored with a second
// copy of the query rotated at its cache position c_q = min(p, n_sinks + window - 1): the model
// then sees sinks at distances <= n_sinks + window - 1, never more than it was trained on, and no
// cached key is ever re-rotated.
#pragma once

#include <cstdint>

#include "runtime/kv_cache.h"
#include "simd/kernels.h"

namespace ringlm {

struct AttentionWindow {
  int64_t n_sinks = 0;
  int64_t window = INT64_MAX;  // distance limit for non-sink keys
  bool sink_query = false;     // score sinks with the cache-position query
};

struct StagedKv {
  const float* k = nullptr;  // [n][kv_dim] rotated keys of this call's tokens
  const float* v = nullptr;  // [n][kv_dim]
  int64_t start_pos = 0;     // position of staged token 0
  int32_t n = 0;
};

// Cached K/V rows per block: each block is read from memory once and then served from L1 to
// every query head of a GQA group (32 rows of a 128-wide f32 head = 16 KiB).
constexpr uint32_t kRowBlock = 32;

// Writes the attention output of query heads [head_begin, head_end) of one query into
// out[h * head_dim ...] (out covers all n_head heads). q_abs: query rotated at its absolute
// position; q_sink: rotated at its cache position (may be q_abs). scores: one row per query head
// of a GQA group (n_head / n_head_kv rows, scores_stride floats apart), each of at least
// cache.slots_in_use() + staged.n floats.
void attend(const Kernels& k, const KvCache& cache, int32_t layer, const StagedKv& staged, const AttentionWindow& win,
            const float* q_abs, const float* q_sink, int64_t pos, int32_t n_head, int32_t n_head_kv,
            int32_t head_begin, int32_t head_end, float* scores, size_t scores_stride, float* out);

}  // namespace ringlm
