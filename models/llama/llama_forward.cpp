#include "models/llama/llama_forward.h"

#include <cmath>
#include <cstring>

#include "runtime/matmul.h"
#include "simd/kernels.h"

namespace ringlm {

bool ForwardScratch::layout(Arena& arena, const ModelConfig& c, int32_t batch, uint32_t ctx) {
  n_batch = batch;
  n_ctx = ctx;
  const size_t b = static_cast<size_t>(batch);
  x = arena.alloc<float>(b * c.n_embd);
  xn = arena.alloc<float>(b * c.n_embd);
  proj = arena.alloc<float>(b * c.n_embd);
  q = arena.alloc<float>(b * c.q_dim());
  att_out = arena.alloc<float>(b * c.q_dim());
  k = arena.alloc<float>(b * c.kv_dim());
  v = arena.alloc<float>(b * c.kv_dim());
  gate = arena.alloc<float>(b * c.n_ff);
  up = arena.alloc<float>(b * c.n_ff);
  scores = arena.alloc<float>(static_cast<size_t>(c.n_head) * ctx);
  rope_cos = arena.alloc<float>(b * (c.head_dim / 2));
  rope_sin = arena.alloc<float>(b * (c.head_dim / 2));
  inv_freq = arena.alloc<float>(c.head_dim / 2);
  logits = arena.alloc<float>(static_cast<size_t>(c.n_vocab));
  if (arena.exhausted()) return false;
  if (!arena.measuring()) {
    for (int32_t j = 0; j < c.head_dim / 2; ++j) {
      inv_freq[j] = static_cast<float>(1.0 / std::pow(static_cast<double>(c.rope_base), 2.0 * j / c.head_dim));
    }
  }
  return true;
}

namespace {

// Rotates each head's dimension pairs by the token's angles (cos/sin per pair).
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

void add_bias(float* y, const TensorView& bias, int32_t n_tokens, int64_t width) {
  if (bias.data == nullptr) return;
  for (int32_t t = 0; t < n_tokens; ++t) {
    float* row = y + static_cast<size_t>(t) * width;
    for (int64_t i = 0; i < width; ++i) row[i] += bias.f32()[i];
  }
}

}  // namespace

void llama_forward(const Model& model, KvCache& cache, ForwardScratch& s, const int32_t* tokens, int32_t n,
                   int32_t start_pos) {
  const ModelConfig& c = model.config;
  const ModelWeights& w = model.weights;
  const Kernels& k = active_kernels();
  const size_t dim = static_cast<size_t>(c.n_embd), q_dim = static_cast<size_t>(c.q_dim());
  const size_t kv_dim = static_cast<size_t>(c.kv_dim()), ff = static_cast<size_t>(c.n_ff);
  const int32_t hd = c.head_dim, half = hd / 2, group = c.n_head / c.n_head_kv;
  const float sqrt_hd = std::sqrt(static_cast<float>(hd));

  // Token embeddings, and each token's RoPE angles (angles in double: exact at large positions).
  for (int32_t t = 0; t < n; ++t) {
    std::memcpy(s.x + t * dim, w.tok_embd.row(tokens[t]), dim * sizeof(float));
    for (int32_t j = 0; j < half; ++j) {
      const double angle = static_cast<double>(start_pos + t) * static_cast<double>(s.inv_freq[j]);
      s.rope_cos[t * half + j] = static_cast<float>(std::cos(angle));
      s.rope_sin[t * half + j] = static_cast<float>(std::sin(angle));
    }
  }
  // Every layer stores token t in the same slot; mark the slots as holding their positions now,
  // so each layer's attention sees the tokens of this call.
  for (int32_t t = 0; t < n; ++t) cache.commit(cache.slot_for(start_pos + t), start_pos + t);

  for (int32_t l = 0; l < c.n_layer; ++l) {
    const LayerWeights& lw = w.layers[static_cast<size_t>(l)];

    // Attention block: xn = rmsnorm(x); q, k, v = projections; RoPE on q and k.
    for (int32_t t = 0; t < n; ++t) k.rmsnorm(s.x + t * dim, lw.attn_norm.f32(), s.xn + t * dim, dim, c.norm_eps);
    matmul(lw.wq, s.xn, static_cast<size_t>(n), s.q);
    matmul(lw.wk, s.xn, static_cast<size_t>(n), s.k);
    matmul(lw.wv, s.xn, static_cast<size_t>(n), s.v);
    add_bias(s.q, lw.bq, n, static_cast<int64_t>(q_dim));
    add_bias(s.k, lw.bk, n, static_cast<int64_t>(kv_dim));
    add_bias(s.v, lw.bv, n, static_cast<int64_t>(kv_dim));
    for (int32_t t = 0; t < n; ++t) {
      apply_rope(s.q + t * q_dim, c.n_head, hd, s.rope_cos + t * half, s.rope_sin + t * half, c.rope_style);
      apply_rope(s.k + t * kv_dim, c.n_head_kv, hd, s.rope_cos + t * half, s.rope_sin + t * half, c.rope_style);
      // K and V go straight into this token's cache slot.
      const uint32_t slot = cache.slot_for(start_pos + t);
      std::memcpy(cache.key(l, slot), s.k + t * kv_dim, kv_dim * sizeof(float));
      std::memcpy(cache.value(l, slot), s.v + t * kv_dim, kv_dim * sizeof(float));
    }

    // Each query attends over the cache slots visible from its position (GQA: `group` query
    // heads share one K/V head).
    const int32_t* positions = cache.positions();
    const uint32_t n_slots = cache.slots_in_use();
    for (int32_t t = 0; t < n; ++t) {
      const int32_t pos = start_pos + t;
      for (int32_t h = 0; h < c.n_head; ++h) {
        const float* qh = s.q + t * q_dim + static_cast<size_t>(h) * hd;
        const size_t kv_off = static_cast<size_t>(h / group) * hd;
        float* scores = s.scores + static_cast<size_t>(h) * s.n_ctx;
        for (uint32_t slot = 0; slot < n_slots; ++slot) {
          const bool visible = positions[slot] >= 0 && positions[slot] <= pos;
          scores[slot] = visible ? k.dot(qh, cache.key(l, slot) + kv_off, static_cast<size_t>(hd)) / sqrt_hd : -INFINITY;
        }
        k.softmax(scores, n_slots);
        float* out = s.att_out + t * q_dim + static_cast<size_t>(h) * hd;
        std::memset(out, 0, static_cast<size_t>(hd) * sizeof(float));
        for (uint32_t slot = 0; slot < n_slots; ++slot) {
          if (scores[slot] != 0.0f) k.axpy(scores[slot], cache.value(l, slot) + kv_off, out, static_cast<size_t>(hd));
        }
      }
    }

    // Output projection and residual.
    matmul(lw.wo, s.att_out, static_cast<size_t>(n), s.proj);
    for (size_t i = 0; i < static_cast<size_t>(n) * dim; ++i) s.x[i] += s.proj[i];

    // Feed-forward block: x += W_down · (silu(W_gate · xn) * (W_up · xn)).
    for (int32_t t = 0; t < n; ++t) k.rmsnorm(s.x + t * dim, lw.ffn_norm.f32(), s.xn + t * dim, dim, c.norm_eps);
    matmul(lw.w_gate, s.xn, static_cast<size_t>(n), s.gate);
    matmul(lw.w_up, s.xn, static_cast<size_t>(n), s.up);
    k.silu_mul(s.gate, s.up, static_cast<size_t>(n) * ff);
    matmul(lw.w_down, s.gate, static_cast<size_t>(n), s.proj);
    for (size_t i = 0; i < static_cast<size_t>(n) * dim; ++i) s.x[i] += s.proj[i];
  }

  // Logits of the last token only.
  float* last = s.x + static_cast<size_t>(n - 1) * dim;
  k.rmsnorm(last, w.output_norm.f32(), s.xn, dim, c.norm_eps);
  matmul(w.output, s.xn, 1, s.logits);
}

}  // namespace ringlm
