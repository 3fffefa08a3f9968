#include "models/gguf/gguf_model.h"

#include <cinttypes>
#include <cstdio>
#include <string>
#include <unordered_set>

#include "models/gguf/gguf_vocab.h"

namespace ringlm {

namespace {

int clip(std::string_view s) { return static_cast<int>(s.size() < 64 ? s.size() : 64); }

// Reads `{arch}.{suffix}` metadata; the optional readers leave `out` unchanged when absent.
class Hparams {
 public:
  Hparams(const GgufFile& f, std::string_view arch) : f_(f), prefix_(std::string(arch) + ".") {}

  std::string key(const char* suffix) const { return prefix_ + suffix; }
  bool has(const char* suffix) const { return f_.has(key(suffix)); }

  Status positive(const char* suffix, int32_t& out, bool required) const {
    const std::string k = key(suffix);
    if (!f_.has(k)) {
      RINGLM_CHECK(!required, RINGLM_ERR_BAD_FORMAT, "metadata key '%s' is missing", k.c_str());
      return Status::ok();
    }
    uint32_t v = 0;
    RINGLM_TRY(f_.get_u32(k, v));
    RINGLM_CHECK(v > 0 && v <= 0x7fffffffu, RINGLM_ERR_BAD_DIMENSIONS, "metadata key '%s' is %" PRIu32 ", must be positive",
                 k.c_str(), v);
    out = static_cast<int32_t>(v);
    return Status::ok();
  }
  Status non_negative(const char* suffix, int32_t& out) const {
    const std::string k = key(suffix);
    if (!f_.has(k)) return Status::ok();
    uint32_t v = 0;
    RINGLM_TRY(f_.get_u32(k, v));
    RINGLM_CHECK(v <= 0x7fffffffu, RINGLM_ERR_BAD_DIMENSIONS, "metadata key '%s' is %" PRIu32 ", too large", k.c_str(), v);
    out = static_cast<int32_t>(v);
    return Status::ok();
  }
  Status real(const char* suffix, float& out, bool required) const {
    const std::string k = key(suffix);
    if (!f_.has(k)) {
      RINGLM_CHECK(!required, RINGLM_ERR_BAD_FORMAT, "metadata key '%s' is missing", k.c_str());
      return Status::ok();
    }
    return f_.get_f32(k, out);
  }

 private:
  const GgufFile& f_;
  std::string prefix_;
};

Result<ModelConfig> read_config(const GgufFile& f, const Architecture& arch) {
  const Hparams h(f, arch.name);
  ModelConfig c;
  c.arch = arch.name;
  c.rope_style = arch.rope_style;
  RINGLM_TRY(h.positive("context_length", c.n_ctx_train, true));
  RINGLM_TRY(h.positive("embedding_length", c.n_embd, true));
  RINGLM_TRY(h.positive("block_count", c.n_layer, true));
  RINGLM_TRY(h.positive("feed_forward_length", c.n_ff, true));
  RINGLM_TRY(h.positive("attention.head_count", c.n_head, true));
  c.n_head_kv = c.n_head;
  RINGLM_TRY(h.positive("attention.head_count_kv", c.n_head_kv, false));
  RINGLM_CHECK(c.n_embd % c.n_head == 0 || h.has("attention.key_length"), RINGLM_ERR_BAD_DIMENSIONS,
               "embedding length %" PRId32 " is not a multiple of %" PRId32 " heads and %s is absent", c.n_embd, c.n_head,
               h.key("attention.key_length").c_str());
  c.head_dim = c.n_embd / c.n_head;
  RINGLM_TRY(h.positive("attention.key_length", c.head_dim, false));
  int32_t value_length = c.head_dim;
  RINGLM_TRY(h.positive("attention.value_length", value_length, false));
  RINGLM_CHECK(value_length == c.head_dim, RINGLM_ERR_UNSUPPORTED,
               "key length %" PRId32 " differs from value length %" PRId32 "; ringlm needs them equal", c.head_dim,
               value_length);
  RINGLM_TRY(h.real("attention.layer_norm_rms_epsilon", c.norm_eps, true));
  RINGLM_TRY(h.real("rope.freq_base", c.rope_base, false));
  int32_t rope_dims = c.head_dim;
  RINGLM_TRY(h.positive("rope.dimension_count", rope_dims, false));
  RINGLM_CHECK(rope_dims == c.head_dim, RINGLM_ERR_UNSUPPORTED,
               "RoPE rotates %" PRId32 " of %" PRId32 " head dimensions; only full-head RoPE is supported", rope_dims,
               c.head_dim);
  RINGLM_TRY(h.non_negative("attention.sliding_window", c.sliding_window));

  // RoPE scaling: llama.cpp's default type is linear; the factor may come from either key.
  std::string_view scaling = "linear";
  if (h.has("rope.scaling.type")) RINGLM_TRY(f.get_string(h.key("rope.scaling.type"), scaling));
  float factor = 0.0f;
  RINGLM_TRY(h.real("rope.scale_linear", factor, false));
  RINGLM_TRY(h.real("rope.scaling.factor", factor, false));
  if (scaling == "linear") {
    RINGLM_CHECK(factor >= 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "RoPE scaling factor %g is negative",
                 static_cast<double>(factor));
    c.rope_freq_scale = factor == 0.0f ? 1.0f : 1.0f / factor;
  } else if (scaling != "none") {
    return Status::error(RINGLM_ERR_UNSUPPORTED, "RoPE scaling type '%.*s' is not supported (only none and linear)",
                         clip(scaling), scaling.data());
  }
  return c;
}

std::string shape_string(const int64_t (&ne)[4], uint32_t n_dims) {
  std::string s = "[";
  for (uint32_t d = 0; d < n_dims; ++d) {
    if (d > 0) s += ", ";
    s += std::to_string(ne[d]);
  }
  return s + "]";
}

// Finds, checks and views the model's tensors, and counts the distinct ones.
class TensorBinder {
 public:
  explicit TensorBinder(const GgufFile& f) : f_(f) {}

  const GgufTensor* find(const std::string& name) const { return f_.find_tensor(name); }

  // `dims`: the expected ne[] (row length first). f32_only: norms and biases.
  Status bind(const std::string& name, std::initializer_list<int64_t> dims, bool f32_only, TensorView& out) {
    const GgufTensor* t = f_.find_tensor(name);
    RINGLM_CHECK(t != nullptr, RINGLM_ERR_BAD_FORMAT, "tensor '%s' is missing", name.c_str());
    return bind(*t, dims, f32_only, out);
  }

  Status bind(const GgufTensor& t, std::initializer_list<int64_t> dims, bool f32_only, TensorView& out) {
    int64_t want[4] = {1, 1, 1, 1};
    uint32_t n = 0;
    for (int64_t d : dims) want[n++] = d;
    bool same = true;
    for (int d = 0; d < 4; ++d) same = same && t.ne[d] == want[d];
    RINGLM_CHECK(same, RINGLM_ERR_BAD_DIMENSIONS, "tensor '%.*s' has shape %s, the model needs %s", clip(t.name),
                 t.name.data(), shape_string(t.ne, t.n_dims).c_str(), shape_string(want, n).c_str());
    RINGLM_CHECK(!f32_only || t.dtype == DType::kF32, RINGLM_ERR_UNSUPPORTED,
                 "tensor '%.*s' is %s; norms and biases must be f32", clip(t.name), t.name.data(),
                 dtype_name(t.dtype));
    RINGLM_CHECK(t.dtype != DType::kF32 || reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0,
                 RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s' is not 4-byte aligned in memory (align the buffer)",
                 clip(t.name), t.name.data());
    out = t.view();
    if (seen_.insert(t.data).second) {
      n_params_ += static_cast<uint64_t>(t.n_elements());
      bytes_ += t.bytes;
    }
    return Status::ok();
  }

  uint64_t n_params() const { return n_params_; }
  uint64_t bytes() const { return bytes_; }

 private:
  const GgufFile& f_;
  std::unordered_set<const void*> seen_;
  uint64_t n_params_ = 0;
  uint64_t bytes_ = 0;
};

// The per-layer structures are sized from block_count only once the tensor directory (already
// bounded by the file's bytes) can hold that many layers.
Status check_layer_tensors(const GgufFile& f, const Architecture& arch, int32_t n_layer) {
  const uint64_t per_layer = arch.qkv_bias ? 12 : 9;
  const uint64_t needed = per_layer * static_cast<uint64_t>(n_layer);
  RINGLM_CHECK(needed <= f.tensors().size(), RINGLM_ERR_BAD_FORMAT,
               "%s.block_count is %" PRId32 ", which needs %llu layer tensors; the file has %zu tensors in all",
               arch.name, n_layer, static_cast<unsigned long long>(needed), f.tensors().size());
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Model>> load_gguf(const GgufFile& f) {
  std::string_view arch_name;
  RINGLM_TRY(f.get_string("general.architecture", arch_name));
  const Architecture* arch = find_architecture(arch_name);
  RINGLM_CHECK(arch != nullptr, RINGLM_ERR_UNSUPPORTED, "architecture '%.*s' is not supported (%s are)",
               clip(arch_name), arch_name.data(), architecture_names());
  Result<ModelConfig> config = read_config(f, *arch);
  if (!config.is_ok()) return config.status();
  ModelConfig c = config.value();
  // Llama 3.1-style per-dimension RoPE frequency factors would change every position's angles.
  RINGLM_CHECK(f.find_tensor("rope_freqs.weight") == nullptr, RINGLM_ERR_UNSUPPORTED,
               "tensor 'rope_freqs.weight' (per-dimension RoPE frequency factors) is not supported");

  // The vocabulary size is the embedding's row count.
  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  RINGLM_CHECK(embd != nullptr, RINGLM_ERR_BAD_FORMAT, "tensor 'token_embd.weight' is missing");
  RINGLM_CHECK(embd->n_dims == 2 && embd->ne[1] <= 0x7fffffff, RINGLM_ERR_BAD_DIMENSIONS,
               "tensor 'token_embd.weight' has shape %s, the model needs [%" PRId32 ", n_vocab]",
               shape_string(embd->ne, embd->n_dims).c_str(), c.n_embd);
  c.n_vocab = static_cast<int32_t>(embd->ne[1]);
  const std::string vocab_key = std::string(arch->name) + ".vocab_size";
  if (f.has(vocab_key)) {
    uint32_t declared = 0;
    RINGLM_TRY(f.get_u32(vocab_key, declared));
    RINGLM_CHECK(declared == static_cast<uint32_t>(c.n_vocab), RINGLM_ERR_VOCAB_MISMATCH,
                 "%s is %" PRIu32 " but token_embd.weight has %" PRId32 " rows", vocab_key.c_str(), declared, c.n_vocab);
  }
  RINGLM_TRY(c.validate());

  auto model = std::make_unique<Model>();
  model->config = c;
  model->arch = arch;
  ModelWeights& w = model->weights;
  TensorBinder b(f);
  const int64_t dim = c.n_embd, q_dim = c.q_dim(), kv_dim = c.kv_dim(), ff = c.n_ff, vocab = c.n_vocab;
  RINGLM_TRY(b.bind(*embd, {dim, vocab}, false, w.tok_embd));
  RINGLM_TRY(b.bind("output_norm.weight", {dim}, true, w.output_norm));
  if (b.find("output.weight") != nullptr) {
    RINGLM_TRY(b.bind("output.weight", {dim, vocab}, false, w.output));
  } else {
    w.output = w.tok_embd;  // tied
  }
  RINGLM_TRY(check_layer_tensors(f, *arch, c.n_layer));
  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (int32_t l = 0; l < c.n_layer; ++l) {
    LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    const std::string p = "blk." + std::to_string(l) + ".";
    RINGLM_TRY(b.bind(p + "attn_norm.weight", {dim}, true, lw.attn_norm));
    RINGLM_TRY(b.bind(p + "attn_q.weight", {dim, q_dim}, false, lw.wq));
    RINGLM_TRY(b.bind(p + "attn_k.weight", {dim, kv_dim}, false, lw.wk));
    RINGLM_TRY(b.bind(p + "attn_v.weight", {dim, kv_dim}, false, lw.wv));
    RINGLM_TRY(b.bind(p + "attn_output.weight", {q_dim, dim}, false, lw.wo));
    RINGLM_TRY(b.bind(p + "ffn_norm.weight", {dim}, true, lw.ffn_norm));
    RINGLM_TRY(b.bind(p + "ffn_gate.weight", {dim, ff}, false, lw.w_gate));
    RINGLM_TRY(b.bind(p + "ffn_up.weight", {dim, ff}, false, lw.w_up));
    RINGLM_TRY(b.bind(p + "ffn_down.weight", {ff, dim}, false, lw.w_down));
    if (arch->qkv_bias) {
      RINGLM_TRY(b.bind(p + "attn_q.bias", {q_dim}, true, lw.bq));
      RINGLM_TRY(b.bind(p + "attn_k.bias", {kv_dim}, true, lw.bk));
      RINGLM_TRY(b.bind(p + "attn_v.bias", {kv_dim}, true, lw.bv));
    }
  }
  model->n_params = b.n_params();
  model->weight_bytes = b.bytes();

  Result<Vocab> vocab_result = read_gguf_vocab(f);
  if (!vocab_result.is_ok()) return vocab_result.status();
  const size_t n_tokens = vocab_result.value().pieces.size();
  RINGLM_CHECK(n_tokens == static_cast<size_t>(c.n_vocab), RINGLM_ERR_VOCAB_MISMATCH,
               "tokenizer has %zu tokens but token_embd.weight has %" PRId32 " rows", n_tokens, c.n_vocab);
  Result<Tokenizer> tok = Tokenizer::create(std::move(vocab_result.value()));
  if (!tok.is_ok()) return tok.status();
  model->tokenizer = std::move(tok.value());
  return model;
}

Result<std::unique_ptr<Model>> load_gguf_vocab_only(const GgufFile& f) {
  Result<Vocab> vocab = read_gguf_vocab(f);
  if (!vocab.is_ok()) return vocab.status();
  Result<Tokenizer> tok = Tokenizer::create(std::move(vocab.value()));
  if (!tok.is_ok()) return tok.status();
  auto model = std::make_unique<Model>();
  model->parts = ModelParts::kVocabOnly;
  model->config.arch.clear();
  std::string_view arch_name;
  if (f.get_string("general.architecture", arch_name).is_ok()) {
    model->config.arch = std::string(arch_name);
    model->arch = find_architecture(arch_name);
  }
  model->config.n_vocab = tok.value().size();
  model->tokenizer = std::move(tok.value());
  return model;
}

Result<std::unique_ptr<Model>> load_gguf_from_memory(Span<const uint8_t> bytes, ModelParts parts) {
  Result<GgufFile> file = GgufFile::parse(bytes);
  if (!file.is_ok()) return file.status();
  Result<std::unique_ptr<Model>> model =
      parts == ModelParts::kVocabOnly ? load_gguf_vocab_only(file.value()) : load_gguf(file.value());
  if (!model.is_ok()) return model;
  // The chat template is optional; a wrong type is reported like any other metadata.
  if (file.value().has("tokenizer.chat_template")) {
    std::string_view chat_template;
    RINGLM_TRY(file.value().get_string("tokenizer.chat_template", chat_template));
    model.value()->chat_template = std::string(chat_template);
  }
  return model;
}

Result<std::unique_ptr<Model>> load_gguf_file(const char* path, LoadMode mode, ModelParts parts) {
  RINGLM_CHECK(path != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "model path is null");
  Result<MappedFile> mapped = MappedFile::open(path, mode);
  if (!mapped.is_ok()) return mapped.status();
  Result<std::unique_ptr<Model>> model = load_gguf_from_memory(mapped.value().bytes(), parts);
  if (!model.is_ok()) {
    const Status& s = model.status();
    return Status::error(s.code(), "%s: %s", path, s.message());
  }
  // The mapping moves and pointers into it stay valid; a tokenizer alone has copied what it needs.
  if (parts == ModelParts::kAll) model.value()->file = std::move(mapped.value());
  return model;
}

}  // namespace ringlm
