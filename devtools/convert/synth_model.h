// Random-weight GGUF models with the shapes of real ones, for benchmarks (ringlm synth).
//
// Weights: every matrix and bias ~ N(0, 0.02), every norm weight 1.0, drawn from a per-tensor
// stream seeded by (seed, tensor name) — so a tensor's values depend on nothing else, and the
// same seed gives the same file (on the same platform: Box–Muller uses the C library's
// logf/sinf/cosf). Matrices are written in the requested type under the fallback rule of
// weight_types.h (rows that do not fit stay f32); norms and biases are f32.
//
// Streaming: each tensor is generated and quantized row by row while the file is written
// (GgufWriter TensorFill), so peak memory is one output tensor plus one f32 row — a 1.1B model
// never exists as f32 in memory.
//
// Tokenizer: the tokenizer.* metadata of a vocabulary GGUF file, copied unchanged. The
// vocabulary's size sets n_vocab (token_embd rows); when it differs from the shape's, the file
// says so in general.description and ringlm.synth.shape_vocab_size, and the summary flags it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"
#include "core/span.h"

namespace ringlm {

struct SynthShape {
  const char* name;
  const char* arch;  // llama | qwen2 (qwen2: Q/K/V biases)
  int32_t n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab, n_ctx;
  float rope_base, norm_eps;
  bool tied;                 // no output.weight: the output reuses token_embd
  const char* default_vocab;  // file name under the shared vocab folder
};

// The built-in shapes: tinyllama-1.1b, smollm2-135m, qwen2.5-0.5b, llama-3.2-1b, and the small
// tiny-test (llama, untied) and tiny-test-qwen2 (qwen2, tied, biases) for tests.
Span<const SynthShape> synth_shapes();
const SynthShape* find_synth_shape(std::string_view name);  // nullptr if unknown

struct SynthSummary {
  int32_t n_vocab = 0;        // rows of token_embd (the vocabulary file's size)
  bool vocab_resized = false;  // n_vocab differs from the shape's
  uint64_t n_params = 0;
  uint64_t bytes = 0;                  // tensor data
  struct Fallback {
    std::string name;
    DType type;
  };
  std::vector<Fallback> fallbacks;  // matrices not in the requested type, and what they got
};

// Adds the model to `out`, an empty writer; the tensors are generated during its write. `vocab`
// is only read here (its metadata is copied), `vocab_label` names it in the metadata.
Status synth_gguf(const SynthShape& shape, DType type, uint64_t seed, const GgufFile& vocab,
                  const std::string& vocab_label, GgufWriter& out, SynthSummary* summary);

}  // namespace ringlm
