#include "models/llama2c/llama2c_loader.h"

#include <cinttypes>
#include <cstring>
#include <string>

namespace ringlm {

namespace {

constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);

// Overflow-checked element counts: every product below is bounded by the file size check.
bool mul_ok(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }

Result<ModelConfig> read_header(Span<const uint8_t> bytes, bool* shared_classifier) {
  RINGLM_CHECK(bytes.size() >= kHeaderBytes, RINGLM_ERR_TRUNCATED,
               "checkpoint is %zu bytes, shorter than its %zu-byte header", bytes.size(), kHeaderBytes);
  int32_t h[7];
  std::memcpy(h, bytes.data(), kHeaderBytes);
  ModelConfig c;
  c.arch = "llama";
  c.n_embd = h[0];
  c.n_ff = h[1];
  c.n_layer = h[2];
  c.n_head = h[3];
  c.n_head_kv = h[4];
  *shared_classifier = h[5] > 0;
  c.n_vocab = h[5] == INT32_MIN ? 0 : (h[5] < 0 ? -h[5] : h[5]);
  c.n_ctx_train = h[6];
  RINGLM_CHECK(c.n_head > 0 && c.n_embd > 0 && c.n_embd % c.n_head == 0, RINGLM_ERR_BAD_DIMENSIONS,
               "checkpoint dim %" PRId32 " is not a positive multiple of its %" PRId32 " heads", c.n_embd, c.n_head);
  c.head_dim = c.n_embd / c.n_head;
  c.norm_eps = 1e-5f;
  c.rope_base = 10000.0f;
  c.rope_style = RopeStyle::kAdjacentPairs;
  RINGLM_TRY(c.validate());
  return c;
}

// The tokenizer alone, sized by the checkpoint's header.
Result<std::unique_ptr<Model>> load_vocab_only(const ModelConfig& c, Span<const uint8_t> tokenizer) {
  Result<Vocab> vocab = read_llama2c_vocab(tokenizer, c.n_vocab);
  if (!vocab.is_ok()) return vocab.status();
  Result<Tokenizer> tok = Tokenizer::create(std::move(vocab.value()));
  if (!tok.is_ok()) return tok.status();
  auto model = std::make_unique<Model>();
  model->parts = ModelParts::kVocabOnly;
  model->config.n_vocab = c.n_vocab;
  model->tokenizer = std::move(tok.value());
  return model;
}

}  // namespace

Result<std::unique_ptr<Model>> load_llama2c_from_memory(Span<const uint8_t> checkpoint, Span<const uint8_t> tokenizer,
                                                        ModelParts parts) {
  bool shared = true;
  Result<ModelConfig> header = read_header(checkpoint, &shared);
  if (!header.is_ok()) return header.status();
  const ModelConfig& c = header.value();
  if (parts == ModelParts::kVocabOnly) return load_vocab_only(c, tokenizer);
  RINGLM_CHECK(reinterpret_cast<uintptr_t>(checkpoint.data()) % alignof(float) == 0, RINGLM_ERR_INVALID_ARGUMENT,
               "checkpoint buffer must be 4-byte aligned");

  const uint64_t dim = static_cast<uint64_t>(c.n_embd), ff = static_cast<uint64_t>(c.n_ff);
  const uint64_t layers = static_cast<uint64_t>(c.n_layer), vocab = static_cast<uint64_t>(c.n_vocab);
  const uint64_t q_dim = static_cast<uint64_t>(c.q_dim()), kv_dim = static_cast<uint64_t>(c.kv_dim());
  const uint64_t seq = static_cast<uint64_t>(c.n_ctx_train), half_head = static_cast<uint64_t>(c.head_dim / 2);

  // Element counts of each section, in file order.
  struct Section { const char* name; uint64_t per_layer_rows, cols, count; };
  const Section sections[] = {
      {"token embedding", vocab, dim, 1},     {"attention norm", 1, dim, layers}, {"wq", q_dim, dim, layers},
      {"wk", kv_dim, dim, layers},            {"wv", kv_dim, dim, layers},        {"wo", dim, q_dim, layers},
      {"ffn norm", 1, dim, layers},           {"w1", ff, dim, layers},            {"w2", dim, ff, layers},
      {"w3", ff, dim, layers},                {"final norm", 1, dim, 1},          {"rope tables", 2 * seq, half_head, 1},
      {"classifier", shared ? 0 : vocab, dim, 1},
  };
  uint64_t offsets[13];
  uint64_t total = 0;  // floats
  for (size_t i = 0; i < 13; ++i) {
    uint64_t n = 0;
    bool ok = mul_ok(sections[i].per_layer_rows, sections[i].cols, &n) && mul_ok(n, sections[i].count, &n);
    offsets[i] = total;
    ok = ok && !__builtin_add_overflow(total, n, &total);
    RINGLM_CHECK(ok && total <= (UINT64_MAX - kHeaderBytes) / 4, RINGLM_ERR_BAD_DIMENSIONS,
                 "checkpoint dimensions overflow at section '%s'", sections[i].name);
  }
  const uint64_t expected = kHeaderBytes + total * 4;
  RINGLM_CHECK(checkpoint.size() >= expected, RINGLM_ERR_TRUNCATED,
               "checkpoint is truncated: %zu bytes, its header declares %llu", checkpoint.size(),
               static_cast<unsigned long long>(expected));
  RINGLM_CHECK(checkpoint.size() == expected, RINGLM_ERR_BAD_FORMAT,
               "checkpoint has %llu bytes after the weights its header declares (wrong header?)",
               static_cast<unsigned long long>(checkpoint.size() - expected));

  Result<Vocab> vocab_result = read_llama2c_vocab(tokenizer, c.n_vocab);
  if (!vocab_result.is_ok()) return vocab_result.status();
  Result<Tokenizer> tok = Tokenizer::create(std::move(vocab_result.value()));
  if (!tok.is_ok()) return tok.status();

  auto model = std::make_unique<Model>();
  model->config = c;
  model->arch = find_architecture("llama");
  model->tokenizer = std::move(tok.value());
  const float* base = reinterpret_cast<const float*>(checkpoint.data() + kHeaderBytes);
  auto at = [&](size_t section, uint64_t layer, int64_t rows, int64_t cols) {
    const uint64_t per_layer = sections[section].per_layer_rows * sections[section].cols;
    return f32_view(base + offsets[section] + layer * per_layer, rows, cols);
  };
  ModelWeights& w = model->weights;
  w.tok_embd = at(0, 0, c.n_vocab, c.n_embd);
  w.output_norm = at(10, 0, 1, c.n_embd);
  w.output = shared ? w.tok_embd : at(12, 0, c.n_vocab, c.n_embd);
  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (int32_t l = 0; l < c.n_layer; ++l) {
    LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    const uint64_t L = static_cast<uint64_t>(l);
    lw.attn_norm = at(1, L, 1, c.n_embd);
    lw.wq = at(2, L, c.q_dim(), c.n_embd);
    lw.wk = at(3, L, c.kv_dim(), c.n_embd);
    lw.wv = at(4, L, c.kv_dim(), c.n_embd);
    lw.wo = at(5, L, c.n_embd, c.q_dim());
    lw.ffn_norm = at(6, L, 1, c.n_embd);
    lw.w_gate = at(7, L, c.n_ff, c.n_embd);
    lw.w_down = at(8, L, c.n_embd, c.n_ff);
    lw.w_up = at(9, L, c.n_ff, c.n_embd);
  }
  model->n_params = total - 2 * seq * half_head;
  model->weight_bytes = model->n_params * 4;
  return model;
}

Result<std::unique_ptr<Model>> load_llama2c(const char* model_path, const char* tokenizer_path, LoadMode mode,
                                            ModelParts parts) {
  Result<MappedFile> file = MappedFile::open(model_path, mode);
  if (!file.is_ok()) return file.status();
  // Said before the tokenizer is looked for: a missing tokenizer.bin would hide an empty model.
  const size_t size = file.value().size();
  RINGLM_CHECK(size > 0, RINGLM_ERR_TRUNCATED, "model file '%s' is empty", model_path);
  RINGLM_CHECK(size >= kHeaderBytes, RINGLM_ERR_TRUNCATED,
               "model file '%s' is %zu bytes, too small for a model (a llama2.c header alone is %zu)", model_path, size,
               kHeaderBytes);
  std::string tok_path;
  if (tokenizer_path != nullptr && tokenizer_path[0] != '\0') {
    tok_path = tokenizer_path;
  } else {
    std::string m = model_path;
    size_t slash = m.find_last_of('/');
    tok_path = (slash == std::string::npos ? std::string() : m.substr(0, slash + 1)) + "tokenizer.bin";
  }
  Result<MappedFile> tok_file = MappedFile::open(tok_path.c_str());
  if (!tok_file.is_ok()) return tok_file.status();
  Result<std::unique_ptr<Model>> model =
      load_llama2c_from_memory(file.value().bytes(), tok_file.value().bytes(), parts);
  if (!model.is_ok()) {
    Status s = model.status();
    return Status::error(s.code(), "%s: %s", model_path, s.message());
  }
  // The mapping moves and pointers into it stay valid; a tokenizer alone has copied what it needs.
  if (parts == ModelParts::kAll) model.value()->file = std::move(file.value());
  return model;
}

}  // namespace ringlm
