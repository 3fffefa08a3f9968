// The Llama-family forward pass (Llama, Mistral, Qwen2), written to read like the math.
//
// A call runs `n` consecutive tokens (a prefill chunk, or one decode token) through every layer.
// Per layer: K and V of the call's tokens are computed and kept in scratch ("staged"), every
// query attends over the cache plus the staged tokens (runtime/attention.h), then the staged K/V
// are stored into their ring slots. Activations live in a ForwardScratch sized for n_batch:
//
//   x, xn, proj [n_batch][n_embd]   q, q_sink, att_out [n_batch][q_dim]   k, v [n_batch][kv_dim]
//   gate, up [n_batch][n_ff]        scores [n_threads][group][capacity + n_batch] rope cos/sin [n_batch][head_dim/2]
//   logits [n_batch or 1][n_vocab]   mm: matmul's quantized activations and dequantized tiles
#pragma once

#include <cstdint>

#include "core/arena.h"
#include "platform/thread_pool.h"
#include "runtime/attention.h"
#include "runtime/kv_cache.h"
#include "runtime/language_model.h"
#include "runtime/matmul.h"

namespace ringlm {

struct Model;

struct ForwardScratch {
  int32_t n_batch = 0;
  int32_t n_threads = 1;
  size_t scores_stride = 0;  // floats per scores row (one row per query head of a GQA group)
  bool logits_all = false;
  float* x = nullptr;
  float* xn = nullptr;
  float* proj = nullptr;
  float* q = nullptr;
  float* q_sink = nullptr;
  float* att_out = nullptr;
  float* k = nullptr;
  float* v = nullptr;
  float* gate = nullptr;
  float* up = nullptr;
  float* scores = nullptr;
  float* rope_cos = nullptr;
  float* rope_sin = nullptr;
  float* sink_cos = nullptr;  // [head_dim/2] rotation at the cache position of a streaming query
  float* sink_sin = nullptr;
  float* inv_freq = nullptr;  // [head_dim/2], filled once at layout
  float* logits = nullptr;
  // xq [n_batch][max(n_embd, q_dim, n_ff) / 32] quantized activations; dequantized weight tiles
  // [n_threads][...] and bf16 activations as `gemm` says (prefill GEMMs, runtime/matmul.h)
  MatmulScratch mm;

  // Lays out the buffers (measure mode: sizes only). False if the arena ran out.
  bool layout(Arena& arena, const ModelConfig& config, int32_t n_batch, uint32_t cache_capacity, bool logits_all,
              int32_t n_threads, GemmNeeds gemm);
};

// The family's side of LanguageModel (models/architecture.h):
// Lays out a ForwardScratch in the arena (measure mode: sizes only); nullptr when measuring or out of room.
void* llama_layout_forward(const Model& model, Arena& arena, const ForwardSpec& spec);
// Runs tokens[0..n) at positions start_pos.. through the model. Preconditions (checked by the
// session): 0 < n <= n_batch, token ids valid. Logits: of every token with logits_all, else of the
// last one.
// False when `abort` stopped it between layers (LanguageModel::forward says what that leaves).
bool llama_forward(const Model& model, void* scratch, KvCache& cache, const AttentionWindow& window, ThreadPool& pool,
                   const AbortCheck& abort, const int32_t* tokens, int32_t n, int64_t start_pos);
float* llama_logits(void* scratch);

}  // namespace ringlm
