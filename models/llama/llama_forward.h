// The Llama-family forward pass (Llama, Mistral, Qwen2), written to read like the math.
//
// A call runs `n` consecutive tokens (a prefill chunk, or one decode token) through every layer:
// K and V of each token are written straight into the KV cache, then each token attends over
// the visible cache slots. Activations live in a ForwardScratch sized for n_batch tokens:
//
//   x, xn, proj [n_batch][n_embd]   q, att_out [n_batch][q_dim]   k, v [n_batch][kv_dim]
//   gate, up [n_batch][n_ff]        scores [n_head][n_ctx]        rope cos/sin [n_batch][head_dim/2]
//   logits [n_vocab] (after the last token of the call)
#pragma once

#include <cstdint>

#include "models/model.h"
#include "runtime/arena.h"
#include "runtime/kv_cache.h"

namespace ringlm {

struct ForwardScratch {
  int32_t n_batch = 0;
  uint32_t n_ctx = 0;
  float* x = nullptr;
  float* xn = nullptr;
  float* proj = nullptr;
  float* q = nullptr;
  float* att_out = nullptr;
  float* k = nullptr;
  float* v = nullptr;
  float* gate = nullptr;
  float* up = nullptr;
  float* scores = nullptr;
  float* rope_cos = nullptr;
  float* rope_sin = nullptr;
  float* inv_freq = nullptr;  // [head_dim/2], filled once at layout
  float* logits = nullptr;

  // Lays out the buffers (measure mode: sizes only). False if the arena ran out.
  bool layout(Arena& arena, const ModelConfig& config, int32_t n_batch, uint32_t n_ctx);
};

// Runs tokens[0..n) at positions start_pos.. through the model. Preconditions (checked by the
// session): 0 < n <= scratch.n_batch, token ids valid, start_pos + n <= cache capacity.
void llama_forward(const Model& model, KvCache& cache, ForwardScratch& scratch, const int32_t* tokens, int32_t n,
                   int32_t start_pos);

}  // namespace ringlm
