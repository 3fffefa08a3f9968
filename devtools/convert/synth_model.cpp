#include "devtools/convert/synth_model.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "devtools/convert/gguf_copy.h"
#include "devtools/convert/model_metadata.h"
#include "devtools/convert/weight_types.h"
#include "models/gguf/gguf_vocab.h"
#include "simd/quant/quantize.h"

namespace ringlm {

namespace {

// Hyperparameters as published in each model's config (layers, hidden size, heads, KV heads,
// FFN size, vocabulary, context, RoPE base, RMS norm epsilon, tied embeddings).
constexpr SynthShape kShapes[] = {
    {"tinyllama-1.1b", "llama", 22, 2048, 32, 4, 5632, 32000, 2048, 10000.0f, 1e-5f, false,
     "ggml-vocab-llama-spm.gguf"},
    {"smollm2-135m", "llama", 30, 576, 9, 3, 1536, 49152, 8192, 100000.0f, 1e-5f, true, "ggml-vocab-starcoder.gguf"},
    {"qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 4864, 151936, 32768, 1000000.0f, 1e-6f, true, "ggml-vocab-gpt-2.gguf"},
    {"llama-3.2-1b", "llama", 16, 2048, 32, 8, 8192, 128256, 131072, 500000.0f, 1e-5f, true,
     "ggml-vocab-gpt-2.gguf"},
    {"tiny-test", "llama", 2, 256, 4, 2, 512, 32000, 256, 10000.0f, 1e-5f, false, "ggml-vocab-llama-spm.gguf"},
    {"tiny-test-qwen2", "qwen2", 2, 256, 4, 2, 512, 50257, 256, 1000000.0f, 1e-6f, true, "ggml-vocab-gpt-2.gguf"},
};

constexpr float kWeightStd = 0.02f;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t stream_seed(uint64_t seed, std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a of the name, mixed with the seed
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  uint64_t state = seed ^ h;
  return splitmix64(state);
}

// N(0, std) by Box–Muller, two values per 64-bit draw (24 bits for each uniform).
void fill_normal(uint64_t& state, float* out, int64_t n, float std) {
  constexpr float kInv24 = 1.0f / 16777216.0f;
  constexpr float kTwoPi = 6.283185307179586f;
  for (int64_t i = 0; i < n; i += 2) {
    const uint64_t x = splitmix64(state);
    const float u1 = static_cast<float>((x >> 40) + 1) * kInv24;  // (0, 1]: log is finite
    const float u2 = static_cast<float>((x >> 16) & 0xFFFFFF) * kInv24;
    const float r = std * std::sqrt(-2.0f * std::log(u1));
    out[i] = r * std::cos(kTwoPi * u2);
    if (i + 1 < n) out[i + 1] = r * std::sin(kTwoPi * u2);
  }
}

enum class Init { kNormal, kOnes };

}  // namespace

Span<const SynthShape> synth_shapes() { return Span<const SynthShape>(kShapes, sizeof(kShapes) / sizeof(kShapes[0])); }

const SynthShape* find_synth_shape(std::string_view name) {
  for (const SynthShape& s : kShapes) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

Status synth_gguf(const SynthShape& shape, DType type, uint64_t seed, const GgufFile& vocab,
                  const std::string& vocab_label, GgufWriter& out, SynthSummary* summary) {
  RINGLM_CHECK(dtype_traits(type) != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "unknown weight type %" PRIu32,
               static_cast<uint32_t>(type));
  // The vocabulary must load as a tokenizer before anything is written.
  Result<Vocab> tokenizer = read_gguf_vocab(vocab);
  if (!tokenizer.is_ok()) {
    return Status::error(tokenizer.status().code(), "vocabulary %s: %s", vocab_label.c_str(),
                         tokenizer.status().message());
  }
  const size_t n_tokens = tokenizer.value().pieces.size();

  ModelConfig c;
  c.arch = shape.arch;
  c.n_layer = shape.n_layer;
  c.n_embd = shape.n_embd;
  c.n_head = shape.n_head;
  c.n_head_kv = shape.n_head_kv;
  c.head_dim = shape.n_embd / shape.n_head;
  c.n_ff = shape.n_ff;
  c.n_vocab = static_cast<int32_t>(n_tokens);
  c.n_ctx_train = shape.n_ctx;
  c.rope_base = shape.rope_base;
  c.norm_eps = shape.norm_eps;
  const bool resized = c.n_vocab != shape.n_vocab;

  RINGLM_TRY(add_model_hparams(out, c));
  const std::string name = std::string("synthetic ") + shape.name;
  RINGLM_TRY(out.add_string("general.name", name));
  char description[512];
  std::snprintf(description, sizeof(description),
                "random weights (N(0, %g) matrices and biases, norms 1.0, seed %llu) in the shape of %s; "
                "tokenizer from %s (%zu tokens%s%" PRId32 ")",
                static_cast<double>(kWeightStd), static_cast<unsigned long long>(seed), shape.name,
                vocab_label.c_str(), n_tokens, resized ? "; the real model has " : ", as the real model: ",
                shape.n_vocab);
  RINGLM_TRY(out.add_string("general.description", description));
  RINGLM_TRY(out.add_u32("general.file_type", gguf_file_type(type)));
  RINGLM_TRY(out.add_string("ringlm.synth.shape", shape.name));
  RINGLM_TRY(out.add_u64("ringlm.synth.seed", seed));
  RINGLM_TRY(out.add_string("ringlm.synth.vocab", vocab_label));
  RINGLM_TRY(out.add_u32("ringlm.synth.shape_vocab_size", static_cast<uint32_t>(shape.n_vocab)));
  RINGLM_TRY(copy_gguf_metadata(vocab, out, [](std::string_view key) { return key.substr(0, 10) == "tokenizer."; }));

  SynthSummary local;
  SynthSummary& s = summary != nullptr ? *summary : local;
  s = SynthSummary();
  s.n_vocab = c.n_vocab;
  s.vocab_resized = resized;

  // Adds one generated tensor: dims = {cols} or {cols, rows}.
  auto add = [&](const std::string& tensor, int64_t cols, int64_t rows, Init init, bool matrix) -> Status {
    const DType to = matrix ? fit_matrix_type(type, cols, DType::kF32) : DType::kF32;
    if (matrix && to != type) s.fallbacks.push_back({tensor, to});
    const int64_t dims[2] = {cols, rows};
    const Span<const int64_t> span(dims, rows > 0 ? 2 : 1);
    const uint64_t tensor_seed = stream_seed(seed, tensor);
    const int64_t n_rows = rows > 0 ? rows : 1;
    s.n_params += static_cast<uint64_t>(cols) * static_cast<uint64_t>(n_rows);
    s.bytes += GgufWriter::tensor_bytes(to, span);
    return out.add_tensor(tensor, to, span, [=](void* dst, size_t bytes) -> Status {
      const size_t row_bytes = dtype_row_bytes(to, cols);
      RINGLM_CHECK(row_bytes * static_cast<size_t>(n_rows) == bytes, RINGLM_ERR_INTERNAL, "output size mismatch");
      uint64_t state = tensor_seed;
      std::vector<float> row(static_cast<size_t>(cols), 1.0f);
      for (int64_t r = 0; r < n_rows; ++r) {
        if (init == Init::kNormal) fill_normal(state, row.data(), cols, kWeightStd);
        RINGLM_TRY(quantize_row(to, row.data(), static_cast<uint8_t*>(dst) + static_cast<size_t>(r) * row_bytes, cols));
      }
      return Status::ok();
    });
  };

  const int64_t dim = c.n_embd, q_dim = c.q_dim(), kv_dim = c.kv_dim(), ff = c.n_ff, n_vocab = c.n_vocab;
  RINGLM_TRY(add("token_embd.weight", dim, n_vocab, Init::kNormal, true));
  RINGLM_TRY(add("output_norm.weight", dim, 0, Init::kOnes, false));
  if (!shape.tied) RINGLM_TRY(add("output.weight", dim, n_vocab, Init::kNormal, true));
  const bool biases = std::strcmp(shape.arch, "qwen2") == 0;
  for (int32_t l = 0; l < c.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    RINGLM_TRY(add(p + "attn_norm.weight", dim, 0, Init::kOnes, false));
    RINGLM_TRY(add(p + "attn_q.weight", dim, q_dim, Init::kNormal, true));
    RINGLM_TRY(add(p + "attn_k.weight", dim, kv_dim, Init::kNormal, true));
    RINGLM_TRY(add(p + "attn_v.weight", dim, kv_dim, Init::kNormal, true));
    if (biases) {
      RINGLM_TRY(add(p + "attn_q.bias", q_dim, 0, Init::kNormal, false));
      RINGLM_TRY(add(p + "attn_k.bias", kv_dim, 0, Init::kNormal, false));
      RINGLM_TRY(add(p + "attn_v.bias", kv_dim, 0, Init::kNormal, false));
    }
    RINGLM_TRY(add(p + "attn_output.weight", q_dim, dim, Init::kNormal, true));
    RINGLM_TRY(add(p + "ffn_norm.weight", dim, 0, Init::kOnes, false));
    RINGLM_TRY(add(p + "ffn_gate.weight", dim, ff, Init::kNormal, true));
    RINGLM_TRY(add(p + "ffn_up.weight", dim, ff, Init::kNormal, true));
    RINGLM_TRY(add(p + "ffn_down.weight", ff, dim, Init::kNormal, true));
  }
  return Status::ok();
}

}  // namespace ringlm
