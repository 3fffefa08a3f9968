#include "models/llama/llama_forward.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "models/model.h"
#include "runtime/matmul.h"
#include "simd/kernels.h"
#include "simd/quant/dequantize.h"

namespace ringlm {

bool ForwardScratch::layout(Arena& arena, const ModelConfig& c, int32_t batch, uint32_t capacity, bool all_logits,
                            int32_t threads, GemmNeeds gemm) {
  n_batch = batch;
  n_threads = threads;
  logits_all = all_logits;
  const size_t b = static_cast<size_t>(batch);
  x = arena.alloc<float>(b * c.n_embd);
  xn = arena.alloc<float>(b * c.n_embd);
  proj = arena.alloc<float>(b * c.n_embd);
  q = arena.alloc<float>(b * c.q_dim());
  q_sink = arena.alloc<float>(b * c.q_dim());
  att_out = arena.alloc<float>(b * c.q_dim());
  k = arena.alloc<float>(b * c.kv_dim());
  v = arena.alloc<float>(b * c.kv_dim());
  gate = arena.alloc<float>(b * c.n_ff);
  up = arena.alloc<float>(b * c.n_ff);
  scores_stride = (static_cast<size_t>(capacity) + b + 15) & ~size_t(15);  // 64-byte aligned rows
  scores = arena.alloc<float>(scores_stride * static_cast<size_t>(c.n_head / c.n_head_kv) * static_cast<size_t>(threads));
  rope_cos = arena.alloc<float>(b * (c.head_dim / 2));
  rope_sin = arena.alloc<float>(b * (c.head_dim / 2));
  sink_cos = arena.alloc<float>(c.head_dim / 2);
  sink_sin = arena.alloc<float>(c.head_dim / 2);
  inv_freq = arena.alloc<float>(c.head_dim / 2);
  logits = arena.alloc<float>((all_logits ? b : 1) * static_cast<size_t>(c.n_vocab));
  int32_t widest = c.n_embd > c.q_dim() ? c.n_embd : c.q_dim();
  widest = widest > c.n_ff ? widest : c.n_ff;
  mm.xq = arena.alloc<BlockQ8_0>(b * static_cast<size_t>((widest + 31) / 32));
  const int64_t widest_row = std::max<int64_t>(widest, c.n_embd);
  mm.tile_floats = gemm.tiles && b >= kGemmMinTokens ? gemm_tile_floats(widest_row) : 0;
  mm.tiles = mm.tile_floats > 0 ? arena.alloc<float>(mm.tile_floats * static_cast<size_t>(threads)) : nullptr;
  mm.xb = gemm.bf16_activations && b >= kGemmMinTokens ? arena.alloc<uint16_t>(b * static_cast<size_t>(widest_row)) : nullptr;
  mm.xp = gemm.q8_packed && b >= kGemmMinTokens ? arena.alloc<uint8_t>(q8_packed_bytes(b, static_cast<size_t>(widest_row) / 32))
                                                : nullptr;
  if (arena.exhausted()) return false;
  if (!arena.measuring()) {
    for (int32_t j = 0; j < c.head_dim / 2; ++j) {
      // Linear RoPE scaling multiplies every position by rope_freq_scale: fold it into the frequencies.
      inv_freq[j] = static_cast<float>(c.rope_freq_scale / std::pow(static_cast<double>(c.rope_base), 2.0 * j / c.head_dim));
    }
  }
  return true;
}

namespace {

// cos/sin of pos * inv_freq[j]. The angle is formed in double: at position 10^6 a float angle
// would be off by ~0.06 rad, in double it is exact to ~1e-10.
void rope_angles(int64_t pos, const float* inv_freq, int32_t half, float* cos_out, float* sin_out) {
  for (int32_t j = 0; j < half; ++j) {
    const double angle = static_cast<double>(pos) * static_cast<double>(inv_freq[j]);
    cos_out[j] = static_cast<float>(std::cos(angle));
    sin_out[j] = static_cast<float>(std::sin(angle));
  }
}

// Rotates each head's dimension pairs by the token's angles.
void apply_rope(float* vec, int32_t n_heads, int32_t head_dim, const float* cos, const float* sin, RopeStyle style) {
  const int32_t half = head_dim / 2;
  for (int32_t h = 0; h < n_heads; ++h) {
    float* v = vec + static_cast<size_t>(h) * head_dim;
    for (int32_t j = 0; j < half; ++j) {
      const int32_t i0 = style == RopeStyle::kAdjacentPairs ? 2 * j : j;
      const int32_t i1 = style == RopeStyle::kAdjacentPairs ? 2 * j + 1 : j + half;
      const float a = v[i0], b = v[i1];
      v[i0] = a * cos[j] - b * sin[j];
      v[i1] = a * sin[j] + b * cos[j];
    }
  }
}

void add_bias(float* y, const TensorView& bias, int32_t n_tokens, size_t width) {
  if (bias.data == nullptr) return;
  for (int32_t t = 0; t < n_tokens; ++t) {
    float* row = y + static_cast<size_t>(t) * width;
    for (size_t i = 0; i < width; ++i) row[i] += bias.f32()[i];
  }
}

// What the prefill GEMMs of this model's matrices need in the arena.
GemmNeeds gemm_needs(const Model& m) {
  GemmNeeds g;
  for (const LayerWeights& l : m.weights.layers) {
    for (const TensorView* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) g.add(t->dtype);
  }
  g.add(m.weights.output.dtype);
  return g;
}

}  // namespace

void* llama_layout_forward(const Model& model, Arena& arena, const ForwardSpec& spec) {
  ForwardScratch* s = arena.alloc<ForwardScratch>(1);
  if (s != nullptr) s = new (s) ForwardScratch();
  ForwardScratch probe;
  ForwardScratch& target = s != nullptr ? *s : probe;
  if (!target.layout(arena, model.config, spec.n_batch, spec.cache_capacity, spec.logits_all, spec.n_threads,
                     gemm_needs(model))) {
    return nullptr;
  }
  return s;
}

float* llama_logits(void* scratch) { return static_cast<ForwardScratch*>(scratch)->logits; }

bool llama_forward(const Model& model, void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool,
                   const AbortCheck& abort, const int32_t* tokens, int32_t n, int64_t start_pos) {
  ForwardScratch& s = *static_cast<ForwardScratch*>(scratch);
  const ModelConfig& c = model.config;
  const ModelWeights& w = model.weights;
  const Kernels& k = active_kernels();
  const size_t dim = static_cast<size_t>(c.n_embd), q_dim = static_cast<size_t>(c.q_dim());
  const size_t kv_dim = static_cast<size_t>(c.kv_dim()), ff = static_cast<size_t>(c.n_ff);
  const int32_t half = c.head_dim / 2;
  const size_t nt = static_cast<size_t>(n);

  // Token embeddings and each token's RoPE angles.
  for (int32_t t = 0; t < n; ++t) {
    dequantize_row(w.tok_embd.dtype, w.tok_embd.row(tokens[t]), s.x + t * dim, c.n_embd);
    rope_angles(start_pos + t, s.inv_freq, half, s.rope_cos + t * half, s.rope_sin + t * half);
  }
  // Streaming: a query past the window scores the sinks from its cache position (attention.h).
  const int64_t sink_pos = window.n_sinks + window.window - 1;
  const bool any_sink_query = window.sink_query && start_pos + n - 1 > sink_pos;
  if (any_sink_query) rope_angles(sink_pos, s.inv_freq, half, s.sink_cos, s.sink_sin);

  StagedKv staged{s.k, s.v, start_pos, n};
  for (int32_t l = 0; l < c.n_layer; ++l) {
    if (abort.requested()) {
      // Layers before l stored this call's K/V: empty those slots (no position was committed).
      if (l > 0) {
        for (int32_t t = 0; t < n; ++t) cache.release(cache.slot_for(start_pos + t));
      }
      return false;
    }
    const LayerWeights& lw = w.layers[static_cast<size_t>(l)];

    // Attention block: xn = rmsnorm(x); q, k, v projections; RoPE on q and k.
    for (int32_t t = 0; t < n; ++t) k.rmsnorm(s.x + t * dim, lw.attn_norm.f32(), s.xn + t * dim, dim, c.norm_eps);
    const MatmulTarget qkv[] = {{&lw.wq, s.q}, {&lw.wk, s.k}, {&lw.wv, s.v}};
    matmul(qkv, s.xn, nt, s.mm, pool);
    add_bias(s.q, lw.bq, n, q_dim);
    add_bias(s.k, lw.bk, n, kv_dim);
    add_bias(s.v, lw.bv, n, kv_dim);
    for (int32_t t = 0; t < n; ++t) {
      float* qt = s.q + t * q_dim;
      if (any_sink_query && start_pos + t > sink_pos) {
        std::memcpy(s.q_sink + t * q_dim, qt, q_dim * sizeof(float));
        apply_rope(s.q_sink + t * q_dim, c.n_head, c.head_dim, s.sink_cos, s.sink_sin, c.rope_style);
      }
      apply_rope(qt, c.n_head, c.head_dim, s.rope_cos + t * half, s.rope_sin + t * half, c.rope_style);
      apply_rope(s.k + t * kv_dim, c.n_head_kv, c.head_dim, s.rope_cos + t * half, s.rope_sin + t * half, c.rope_style);
    }

    // Each query attends over the cache and the staged tokens up to itself; (token, head) pairs
    // are split between threads, each with its own scores rows (one per head of a GQA group).
    const size_t group = static_cast<size_t>(c.n_head / c.n_head_kv);
    pool.parallel_for(static_cast<int64_t>(n) * c.n_head, [&](int64_t i0, int64_t i1, int share) {
      float* scores = s.scores + static_cast<size_t>(share) * group * s.scores_stride;
      for (int64_t i = i0; i < i1;) {
        const int32_t t = static_cast<int32_t>(i / c.n_head), h0 = static_cast<int32_t>(i % c.n_head);
        const int32_t h1 = static_cast<int32_t>(std::min<int64_t>(c.n_head, h0 + (i1 - i)));
        const int64_t pos = start_pos + t;
        const float* q_abs = s.q + t * q_dim;
        const float* q_sink = (any_sink_query && pos > sink_pos) ? s.q_sink + t * q_dim : q_abs;
        attend(k, cache, l, staged, window, q_abs, q_sink, pos, c.n_head, c.n_head_kv, h0, h1, scores, s.scores_stride,
               s.att_out + t * q_dim);
        i += h1 - h0;
      }
    });
    // Only now do this call's K/V enter the ring (a chunk may wrap onto slots it still needed).
    for (int32_t t = 0; t < n; ++t) cache.store(l, cache.slot_for(start_pos + t), s.k + t * kv_dim, s.v + t * kv_dim);

    // Output projection and residual.
    matmul(lw.wo, s.att_out, nt, s.proj, s.mm, pool);
    for (size_t i = 0; i < nt * dim; ++i) s.x[i] += s.proj[i];

    // Feed-forward block: x += W_down · (silu(W_gate · xn) * (W_up · xn)).
    for (int32_t t = 0; t < n; ++t) k.rmsnorm(s.x + t * dim, lw.ffn_norm.f32(), s.xn + t * dim, dim, c.norm_eps);
    const MatmulTarget gate_up[] = {{&lw.w_gate, s.gate}, {&lw.w_up, s.up}};
    matmul(gate_up, s.xn, nt, s.mm, pool);
    k.silu_mul(s.gate, s.up, nt * ff);
    matmul(lw.w_down, s.gate, nt, s.proj, s.mm, pool);
    for (size_t i = 0; i < nt * dim; ++i) s.x[i] += s.proj[i];
  }
  for (int32_t t = 0; t < n; ++t) cache.commit(cache.slot_for(start_pos + t), start_pos + t);

  // Logits: final norm and classifier, for every token or just the last.
  const int32_t first = s.logits_all ? 0 : n - 1;
  for (int32_t t = first; t < n; ++t) k.rmsnorm(s.x + t * dim, w.output_norm.f32(), s.xn + (t - first) * dim, dim, c.norm_eps);
  matmul(w.output, s.xn, static_cast<size_t>(n - first), s.logits, s.mm, pool);
  return true;
}

}  // namespace ringlm
