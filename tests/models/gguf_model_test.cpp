// GGUF model loading: the shared GGUF files against what is independently known of them (the
// llama2.c checkpoint they were converted from, their metadata), logit equality through the
// forward pass, and one malformed model per loader check, built with GgufWriter.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "models/gguf/gguf_model.h"
#include "models/gguf/gguf_vocab.h"
#include "devtools/convert/gguf_writer.h"
#include "models/llama2c/llama2c_loader.h"
#include "models/model_loader.h"
#include "runtime/session.h"
#include "test_support.h"

using namespace ringlm;

namespace {

std::unique_ptr<Model> load_ok(Result<std::unique_ptr<Model>> r) {
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return std::move(r.value());
}

std::unique_ptr<Model> stories_bin() {
  return load_ok(load_model_file(ringlm_test::shared_path("models/stories260K.bin").c_str(),
                                 ringlm_test::shared_path("models/tok512.bin").c_str()));
}

std::unique_ptr<Model> stories_gguf() {
  return load_ok(load_model_file(ringlm_test::shared_path("models/stories260K.gguf").c_str(), nullptr));
}

// Element-for-element equality of two f32 views of the same shape.
void check_same(const char* what, int layer, const TensorView& a, const TensorView& b) {
  CAPTURE(what);
  CAPTURE(layer);
  REQUIRE(a.dtype == DType::kF32);
  REQUIRE(b.dtype == DType::kF32);
  REQUIRE(a.rows == b.rows);
  REQUIRE(a.cols == b.cols);
  size_t differing = 0;
  for (int64_t r = 0; r < a.rows; ++r) {
    differing += std::memcmp(a.row(r), b.row(r), static_cast<size_t>(a.cols) * sizeof(float)) != 0 ? 1 : 0;
  }
  CHECK(differing == 0);
}

}  // namespace

TEST_CASE("gguf model: stories260K.gguf has the llama2.c checkpoint's config and weights") {
  std::unique_ptr<Model> bin = stories_bin();
  std::unique_ptr<Model> gguf = stories_gguf();
  const ModelConfig& a = bin->config;
  const ModelConfig& b = gguf->config;
  CHECK(b.arch == "llama");
  CHECK(b.n_vocab == a.n_vocab);
  CHECK(b.n_embd == a.n_embd);
  CHECK(b.n_layer == a.n_layer);
  CHECK(b.n_head == a.n_head);
  CHECK(b.n_head_kv == a.n_head_kv);
  CHECK(b.head_dim == a.head_dim);
  CHECK(b.n_ff == a.n_ff);
  CHECK(b.norm_eps == doctest::Approx(a.norm_eps));
  CHECK(b.rope_base == a.rope_base);
  CHECK(b.rope_freq_scale == 1.0f);
  CHECK(b.rope_style == RopeStyle::kAdjacentPairs);
  CHECK(b.sliding_window == 0);
  // The one difference: llama.cpp's convert-llama2c-to-ggml writes its own context length (128),
  // not the checkpoint's seq_len (512).
  CHECK(a.n_ctx_train == 512);
  CHECK(b.n_ctx_train == 128);
  CHECK(gguf->n_params == bin->n_params + static_cast<uint64_t>(a.n_vocab) * a.n_embd);  // output stored untied
  CHECK(gguf->weight_bytes == gguf->n_params * 4);

  // The converter copies wq/wk unpermuted: GGUF "llama" and llama2.c share the adjacent-pairs
  // RoPE layout, so every tensor is bit-identical.
  const ModelWeights& wa = bin->weights;
  const ModelWeights& wb = gguf->weights;
  check_same("tok_embd", -1, wa.tok_embd, wb.tok_embd);
  check_same("output_norm", -1, wa.output_norm, wb.output_norm);
  check_same("output", -1, wa.output, wb.output);
  REQUIRE(wa.layers.size() == wb.layers.size());
  for (size_t l = 0; l < wa.layers.size(); ++l) {
    const LayerWeights& x = wa.layers[l];
    const LayerWeights& y = wb.layers[l];
    const int L = static_cast<int>(l);
    check_same("attn_norm", L, x.attn_norm, y.attn_norm);
    check_same("wq", L, x.wq, y.wq);
    check_same("wk", L, x.wk, y.wk);
    check_same("wv", L, x.wv, y.wv);
    check_same("wo", L, x.wo, y.wo);
    check_same("ffn_norm", L, x.ffn_norm, y.ffn_norm);
    check_same("w_gate", L, x.w_gate, y.w_gate);
    check_same("w_up", L, x.w_up, y.w_up);
    check_same("w_down", L, x.w_down, y.w_down);
    CHECK(y.bq.data == nullptr);
  }

  // Same tokenizer: same pieces, same ids for a prompt.
  CHECK(gguf->tokenizer.size() == bin->tokenizer.size());
  std::vector<int32_t> ids_a, ids_b;
  REQUIRE(bin->tokenizer.encode("Once upon a time, Lily saw a big dog.", true, ids_a).is_ok());
  REQUIRE(gguf->tokenizer.encode("Once upon a time, Lily saw a big dog.", true, ids_b).is_ok());
  CHECK(ids_a == ids_b);
  CHECK(gguf->tokenizer.is_end_of_generation(2));
}

TEST_CASE("gguf model: stories260K.gguf and .bin give identical logits through the forward pass") {
  std::unique_ptr<Model> bin = stories_bin();
  std::unique_ptr<Model> gguf = stories_gguf();
  std::vector<int32_t> ids;
  REQUIRE(gguf->tokenizer.encode("Once upon a time, there was a little girl named Lily.", true, ids).is_ok());
  std::vector<std::vector<float>> logits;
  for (Model* m : {bin.get(), gguf.get()}) {
    SessionConfig want;
    want.n_ctx = 64;
    Result<SessionConfig> cfg = Session::resolve(*m, want);
    REQUIRE_MESSAGE(cfg.is_ok(), cfg.status().message());
    Result<Session*> s = Session::create(*m, cfg.value(), nullptr, 0);
    REQUIRE_MESSAGE(s.is_ok(), s.status().message());
    Session* session = s.value();
    const Status st = session->prefill(ids.data(), ids.size());
    CHECK_MESSAGE(st.is_ok(), st.message());
    REQUIRE(session->logits() != nullptr);
    logits.emplace_back(session->logits(), session->logits() + m->config.n_vocab);
    session->destroy();
  }
  REQUIRE(logits[0].size() == logits[1].size());
  CHECK(logits[0] == logits[1]);  // same weights, same code: bit-identical
}

TEST_CASE("gguf model: llama-2-tiny-random.gguf loads with its metadata and the Llama 2 tokenizer") {
  std::unique_ptr<Model> m =
      load_ok(load_model_file(ringlm_test::shared_path("models/llama-2-tiny-random.gguf").c_str(), ""));
  const ModelConfig& c = m->config;
  CHECK(c.arch == "llama");
  CHECK(c.n_ctx_train == 4096);
  CHECK(c.n_embd == 8);
  CHECK(c.n_layer == 1);
  CHECK(c.n_ff == 32);
  CHECK(c.n_head == 2);
  CHECK(c.n_head_kv == 2);
  CHECK(c.head_dim == 4);
  CHECK(c.n_vocab == 32000);
  CHECK(c.norm_eps == doctest::Approx(1e-5f));
  CHECK(c.rope_base == 10000.0f);
  CHECK(m->weights.tok_embd.dtype == DType::kF16);
  CHECK(m->weights.layers[0].wq.dtype == DType::kF16);
  CHECK(m->weights.output.dtype == DType::kF16);
  CHECK(m->weights.output.data != m->weights.tok_embd.data);
  CHECK(m->weights.layers[0].attn_norm.dtype == DType::kF32);
  // 2 x 32000 x 8 embeddings/output + 4 x 64 attention + 3 x 256 FFN + 3 x 8 norms.
  CHECK(m->n_params == 2u * 32000 * 8 + 4 * 64 + 3 * 256 + 3 * 8);
  CHECK(m->weight_bytes == (2u * 32000 * 8 + 4 * 64 + 3 * 256) * 2 + 3 * 8 * 4);

  // The tokenizer matches the llama-spm vocabulary (llama.cpp's reference) id for id.
  std::vector<uint8_t> vocab_bytes = ringlm_test::read_file(ringlm_test::shared_path("vocab/ggml-vocab-llama-spm.gguf"));
  REQUIRE(!vocab_bytes.empty());
  Result<GgufFile> vf = GgufFile::parse(Span<const uint8_t>(vocab_bytes.data(), vocab_bytes.size()));
  REQUIRE(vf.is_ok());
  Result<Vocab> vocab = read_gguf_vocab(vf.value());
  REQUIRE(vocab.is_ok());
  Result<Tokenizer> ref = Tokenizer::create(std::move(vocab.value()));
  REQUIRE(ref.is_ok());
  for (const char* text : {"Hello world", " this is \xF0\x9F\xA6\x99.cpp", "   Hello\n    Hello",
                           "\xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE \xE4\xBD\xA0\xE5\xA5\xBD 3333"}) {
    CAPTURE(text);
    std::vector<int32_t> a, b;
    REQUIRE(m->tokenizer.encode(text, true, a).is_ok());
    REQUIRE(ref.value().encode(text, true, b).is_ok());
    CHECK(a == b);
    CHECK(a.front() == 1);
  }
}

// ---- malformed models, built with GgufWriter

namespace {

// A tiny valid llama model: n_embd 8, 1 layer, 2 heads of 4, n_ff 16, 4 tokens. Each test edits
// one thing through the hooks.
struct TinyModel {
  int64_t dim = 8, ff = 16, vocab = 4;
  std::string arch = "llama";
  std::vector<float> data = std::vector<float>(4096, 0.5f);
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81" "a"};
  std::function<bool(const std::string&)> skip = [](const std::string&) { return false; };
  std::function<void(const std::string&, std::vector<int64_t>&, DType&)> edit =
      [](const std::string&, std::vector<int64_t>&, DType&) {};
  std::function<void(GgufWriter&)> extra_metadata = [](GgufWriter&) {};
  bool with_qkv_bias = false;

  std::vector<uint8_t> build() {
    GgufWriter w;
    REQUIRE(w.add_string("general.architecture", arch).is_ok());
    const std::string p = arch + ".";
    REQUIRE(w.add_u32(p + "context_length", 64).is_ok());
    REQUIRE(w.add_u32(p + "embedding_length", static_cast<uint32_t>(dim)).is_ok());
    REQUIRE(w.add_u32(p + "block_count", 1).is_ok());
    REQUIRE(w.add_u32(p + "feed_forward_length", static_cast<uint32_t>(ff)).is_ok());
    REQUIRE(w.add_u32(p + "attention.head_count", 2).is_ok());
    REQUIRE(w.add_f32(p + "attention.layer_norm_rms_epsilon", 1e-5f).is_ok());
    REQUIRE(w.add_string("tokenizer.ggml.model", "llama").is_ok());
    REQUIRE(w.add_string_array("tokenizer.ggml.tokens", tokens).is_ok());
    std::vector<float> scores(tokens.size(), 0.0f);
    REQUIRE(w.add_f32_array("tokenizer.ggml.scores", Span<const float>(scores.data(), scores.size())).is_ok());
    extra_metadata(w);
    auto add = [&](const std::string& name, std::vector<int64_t> dims, DType dtype = DType::kF32) {
      if (skip(name)) return;
      edit(name, dims, dtype);
      int64_t n = 1;
      for (int64_t d : dims) n *= d;
      const size_t bytes = dtype_row_bytes(dtype, dims[0]) * static_cast<size_t>(n / dims[0]);
      REQUIRE(bytes <= data.size() * sizeof(float));
      const Status s = w.add_tensor(name, dtype, Span<const int64_t>(dims.data(), dims.size()), data.data(), bytes);
      REQUIRE_MESSAGE(s.is_ok(), s.message());
    };
    add("token_embd.weight", {dim, vocab});
    add("output_norm.weight", {dim});
    add("blk.0.attn_norm.weight", {dim});
    add("blk.0.attn_q.weight", {dim, dim});
    add("blk.0.attn_k.weight", {dim, dim});
    add("blk.0.attn_v.weight", {dim, dim});
    add("blk.0.attn_output.weight", {dim, dim});
    add("blk.0.ffn_norm.weight", {dim});
    add("blk.0.ffn_gate.weight", {dim, ff});
    add("blk.0.ffn_up.weight", {dim, ff});
    add("blk.0.ffn_down.weight", {ff, dim});
    if (with_qkv_bias) {
      add("blk.0.attn_q.bias", {dim});
      add("blk.0.attn_k.bias", {dim});
      add("blk.0.attn_v.bias", {dim});
    }
    std::vector<uint8_t> out;
    REQUIRE(w.write(out).is_ok());
    return out;
  }
};

Status load_status(TinyModel& t) {
  const std::vector<uint8_t> bytes = t.build();
  Result<std::unique_ptr<Model>> m = load_gguf_from_memory(Span<const uint8_t>(bytes.data(), bytes.size()));
  return m.is_ok() ? Status::ok() : m.status();
}

bool mentions(const Status& s, const char* text) { return std::string(s.message()).find(text) != std::string::npos; }

}  // namespace

TEST_CASE("gguf model: the tiny writer-built model loads (tied output, defaults)") {
  TinyModel t;
  const std::vector<uint8_t> bytes = t.build();
  std::unique_ptr<Model> m = load_ok(load_model_memory(Span<const uint8_t>(bytes.data(), bytes.size()), {}));
  CHECK(m->config.n_head_kv == 2);  // defaults to head_count
  CHECK(m->config.head_dim == 4);   // defaults to embd / heads
  CHECK(m->config.rope_base == 10000.0f);
  CHECK(m->weights.output.data == m->weights.tok_embd.data);  // tied
  CHECK(m->n_params == 4u * 8 + 8 + 8 + 4 * 64 + 8 + 3 * 128);
  CHECK(m->tokenizer.vocab().bos == 1);
  CHECK(m->tokenizer.vocab().add_bos);
}

TEST_CASE("gguf model: qwen2 needs f32 Q/K/V biases and uses NeoX-style RoPE") {
  TinyModel t;
  t.arch = "qwen2";
  CHECK(load_status(t).code() == RINGLM_ERR_BAD_FORMAT);  // biases missing
  t.with_qkv_bias = true;
  const std::vector<uint8_t> bytes = t.build();
  std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(Span<const uint8_t>(bytes.data(), bytes.size())));
  CHECK(m->config.rope_style == RopeStyle::kHalves);
  CHECK(m->weights.layers[0].bk.data != nullptr);
  CHECK(m->weights.layers[0].bk.cols == 8);
}

TEST_CASE("gguf model: a missing tensor is BAD_FORMAT naming it") {
  TinyModel t;
  t.skip = [](const std::string& name) { return name == "blk.0.ffn_up.weight"; };
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK_MESSAGE(mentions(s, "blk.0.ffn_up.weight"), s.message());
}

TEST_CASE("gguf model: a wrong shape is BAD_DIMENSIONS naming the tensor and both shapes") {
  TinyModel t;
  t.edit = [](const std::string& name, std::vector<int64_t>& dims, DType&) {
    if (name == "blk.0.attn_k.weight") dims = {8, 4};
  };
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_BAD_DIMENSIONS);
  CHECK_MESSAGE(mentions(s, "blk.0.attn_k.weight"), s.message());
  CHECK_MESSAGE(mentions(s, "[8, 4]"), s.message());
  CHECK_MESSAGE(mentions(s, "[8, 8]"), s.message());
}

TEST_CASE("gguf model: a norm that is not f32 is UNSUPPORTED") {
  TinyModel t;
  t.edit = [](const std::string& name, std::vector<int64_t>&, DType& dtype) {
    if (name == "blk.0.ffn_norm.weight") dtype = DType::kF16;
  };
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK_MESSAGE(mentions(s, "blk.0.ffn_norm.weight"), s.message());
}

TEST_CASE("gguf model: quantized matrices load as views of their dtype") {
  TinyModel t;
  t.dim = 32;  // a Q8_0 row is whole 32-element blocks
  t.ff = 32;
  t.edit = [](const std::string& name, std::vector<int64_t>&, DType& dtype) {
    if (name == "blk.0.ffn_gate.weight") dtype = DType::kQ8_0;
  };
  const std::vector<uint8_t> bytes = t.build();
  std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(Span<const uint8_t>(bytes.data(), bytes.size())));
  CHECK(m->weights.layers[0].w_gate.dtype == DType::kQ8_0);
  CHECK(m->weights.layers[0].w_gate.row_bytes == 34);
}

TEST_CASE("gguf model: RoPE scaling: linear sets the frequency scale, other types are UNSUPPORTED") {
  TinyModel t;
  t.extra_metadata = [](GgufWriter& w) {
    REQUIRE(w.add_string("llama.rope.scaling.type", "linear").is_ok());
    REQUIRE(w.add_f32("llama.rope.scaling.factor", 4.0f).is_ok());
  };
  const std::vector<uint8_t> bytes = t.build();
  std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(Span<const uint8_t>(bytes.data(), bytes.size())));
  CHECK(m->config.rope_freq_scale == 0.25f);

  t.extra_metadata = [](GgufWriter& w) {
    REQUIRE(w.add_string("llama.rope.scaling.type", "yarn").is_ok());
    REQUIRE(w.add_f32("llama.rope.scaling.factor", 4.0f).is_ok());
  };
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK_MESSAGE(mentions(s, "yarn"), s.message());
}

TEST_CASE("gguf model: metadata checks (rope dimensions, sliding window, architecture)") {
  TinyModel t;
  t.extra_metadata = [](GgufWriter& w) { REQUIRE(w.add_u32("llama.rope.dimension_count", 2).is_ok()); };
  CHECK(load_status(t).code() == RINGLM_ERR_UNSUPPORTED);

  t.extra_metadata = [](GgufWriter& w) { REQUIRE(w.add_u32("llama.attention.sliding_window", 32).is_ok()); };
  const std::vector<uint8_t> bytes = t.build();
  std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(Span<const uint8_t>(bytes.data(), bytes.size())));
  CHECK(m->config.sliding_window == 32);

  t.extra_metadata = [](GgufWriter&) {};
  t.arch = "gemma";
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK_MESSAGE(mentions(s, "gemma"), s.message());
}

TEST_CASE("gguf model: a tokenizer whose size differs from the embedding rows is VOCAB_MISMATCH") {
  TinyModel t;
  t.tokens.push_back("\xE2\x96\x81" "b");  // 5 tokens, 4 embedding rows
  const Status s = load_status(t);
  CHECK(s.code() == RINGLM_ERR_VOCAB_MISMATCH);

  TinyModel declared;
  declared.extra_metadata = [](GgufWriter& w) { REQUIRE(w.add_u32("llama.vocab_size", 5).is_ok()); };
  CHECK(load_status(declared).code() == RINGLM_ERR_VOCAB_MISMATCH);
}

TEST_CASE("model loader: GGUF by magic, llama2.c otherwise; a GGUF model takes no tokenizer file") {
  const std::string gguf = ringlm_test::shared_path("models/stories260K.gguf");
  const std::string tok = ringlm_test::shared_path("models/tok512.bin");
  Result<std::unique_ptr<Model>> r = load_model_file(gguf.c_str(), tok.c_str());
  REQUIRE(!r.is_ok());
  CHECK(r.status().code() == RINGLM_ERR_INVALID_ARGUMENT);
  Result<std::unique_ptr<Model>> missing = load_model_file("/nonexistent/model.gguf", nullptr);
  CHECK(missing.status().code() == RINGLM_ERR_FILE_NOT_FOUND);
  // A llama2.c checkpoint from memory still needs its tokenizer.
  std::vector<uint8_t> bin = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.bin"));
  std::vector<uint8_t> tok_bytes = ringlm_test::read_file(tok);
  std::unique_ptr<Model> m = load_ok(load_model_memory(Span<const uint8_t>(bin.data(), bin.size()),
                                                       Span<const uint8_t>(tok_bytes.data(), tok_bytes.size())));
  CHECK(m->config.n_vocab == 512);
}
