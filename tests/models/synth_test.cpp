// ringlm synth: the shape table holds the published hyperparameters; a small shape writes in
// every weight type, loads with the vocabulary file's tokenizer, generates, and is deterministic
// per seed; weights have the stated distribution; bad vocabularies fail cleanly.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "devtools/convert/synth_model.h"
#include "models/gguf/gguf_file.h"
#include "models/gguf/gguf_model.h"
#include "models/gguf/gguf_vocab.h"
#include "models/model_compare.h"
#include "simd/quant/dequantize.h"
#include "test_support.h"

using namespace ringlm;
using ringlm_test::load_ok;

namespace {

Span<const uint8_t> span(const std::vector<uint8_t>& v) { return Span<const uint8_t>(v.data(), v.size()); }

struct VocabFile {
  std::vector<uint8_t> bytes;
  Result<GgufFile> file;
  explicit VocabFile(const std::string& relative)
      : bytes(ringlm_test::read_file(ringlm_test::shared_path(relative))), file(GgufFile::parse(span(bytes))) {
    REQUIRE_MESSAGE(file.is_ok(), file.status().message());
  }
};

std::vector<uint8_t> synth_bytes(const char* shape, DType type, uint64_t seed, const VocabFile& vocab,
                                 SynthSummary* summary = nullptr) {
  const SynthShape* s = find_synth_shape(shape);
  REQUIRE(s != nullptr);
  GgufWriter w;
  const Status st = synth_gguf(*s, type, seed, vocab.file.value(), "test vocab", w, summary);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  std::vector<uint8_t> out;
  const Status written = w.write(out);
  REQUIRE_MESSAGE(written.is_ok(), written.message());
  return out;
}

}  // namespace

TEST_CASE("synth: the real shapes carry the published hyperparameters") {
  const struct {
    const char* name;
    const char* arch;
    int32_t layers, embd, heads, kv_heads, ff, vocab, ctx;
    float rope_base, eps;
    bool tied;
  } want[] = {
      {"tinyllama-1.1b", "llama", 22, 2048, 32, 4, 5632, 32000, 2048, 1e4f, 1e-5f, false},
      {"smollm2-135m", "llama", 30, 576, 9, 3, 1536, 49152, 8192, 1e5f, 1e-5f, true},
      {"qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 4864, 151936, 32768, 1e6f, 1e-6f, true},
      {"llama-3.2-1b", "llama", 16, 2048, 32, 8, 8192, 128256, 131072, 5e5f, 1e-5f, true},
  };
  for (const auto& w : want) {
    CAPTURE(w.name);
    const SynthShape* s = find_synth_shape(w.name);
    REQUIRE(s != nullptr);
    CHECK(std::string(s->arch) == w.arch);
    CHECK(s->n_layer == w.layers);
    CHECK(s->n_embd == w.embd);
    CHECK(s->n_head == w.heads);
    CHECK(s->n_head_kv == w.kv_heads);
    CHECK(s->n_ff == w.ff);
    CHECK(s->n_vocab == w.vocab);
    CHECK(s->n_ctx == w.ctx);
    CHECK(s->rope_base == w.rope_base);
    CHECK(s->norm_eps == w.eps);
    CHECK(s->tied == w.tied);
    CHECK(s->n_embd / s->n_head == 64);
  }
  CHECK(find_synth_shape("gpt-5") == nullptr);
  CHECK(synth_shapes().size() >= 6);
}

TEST_CASE("synth: TinyLlama's layout and size are known before a byte is generated") {
  // Tensors are produced during the write, so planning a 1.1B model costs nothing.
  VocabFile vocab("vocab/ggml-vocab-llama-spm.gguf");
  const SynthShape* s = find_synth_shape("tinyllama-1.1b");
  REQUIRE(s != nullptr);
  GgufWriter w;
  SynthSummary summary;
  REQUIRE(synth_gguf(*s, DType::kQ8_0, 1, vocab.file.value(), "llama-spm", w, &summary).is_ok());
  CHECK(summary.n_vocab == 32000);
  CHECK(!summary.vocab_resized);
  CHECK(summary.fallbacks.empty());
  CHECK(w.n_tensors() == 3 + 22 * 9);
  // 2 x 32000 x 2048 embedding/output + 22 x (2048^2 x 2 + 2 x 2048 x 256 + 3 x 2048 x 5632) + norms.
  const uint64_t matrices = 2ull * 32000 * 2048 + 22ull * (2ull * 2048 * 2048 + 2ull * 2048 * 256 + 3ull * 2048 * 5632);
  const uint64_t norms = 2048ull * (1 + 2 * 22);
  CHECK(summary.n_params == matrices + norms);
  CHECK(summary.bytes == matrices / 32 * 34 + norms * 4);
}

TEST_CASE("synth: tiny-test writes in every type, loads with the vocabulary's tokenizer, generates") {
  VocabFile vocab("vocab/ggml-vocab-llama-spm.gguf");
  Result<Vocab> ref_vocab = read_gguf_vocab(vocab.file.value());
  REQUIRE(ref_vocab.is_ok());
  Result<Tokenizer> ref = Tokenizer::create(std::move(ref_vocab.value()));
  REQUIRE(ref.is_ok());
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ4_K}) {
    const std::string type_name = dtype_name(type);
    CAPTURE(type_name);
    SynthSummary summary;
    const std::vector<uint8_t> bytes = synth_bytes("tiny-test", type, 3, vocab, &summary);
    CHECK(summary.fallbacks.empty());  // 256 and 512 are whole blocks of every type
    std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(span(bytes)));
    const ModelConfig& c = m->config;
    CHECK(c.arch == "llama");
    CHECK(c.n_layer == 2);
    CHECK(c.n_embd == 256);
    CHECK(c.n_head == 4);
    CHECK(c.n_head_kv == 2);
    CHECK(c.n_ff == 512);
    CHECK(c.n_vocab == 32000);
    CHECK(m->weights.tok_embd.dtype == type);
    CHECK(m->weights.output.dtype == type);
    CHECK(m->weights.output.data != m->weights.tok_embd.data);  // tiny-test is untied
    CHECK(m->weights.layers[1].w_down.dtype == type);
    CHECK(m->weights.layers[1].ffn_norm.dtype == DType::kF32);
    std::vector<int32_t> a, b;
    REQUIRE(m->tokenizer.encode("Hello world, this is ringlm", true, a).is_ok());
    REQUIRE(ref.value().encode("Hello world, this is ringlm", true, b).is_ok());
    CHECK(a == b);
  }
  // Generation through the C API from a written file.
  const std::string path = ringlm_test::write_temp_file("synth_tiny.gguf", synth_bytes("tiny-test", DType::kQ8_0, 3, vocab));
  CHECK(ringlm_test::greedy_ids(path, "Hello", 4).size() == 4);
  std::remove(path.c_str());
}

TEST_CASE("synth: deterministic per seed, and the weights have the stated distribution") {
  VocabFile vocab("models/stories260K.gguf");  // 512 tokens: small and fast
  SynthSummary summary;
  const std::vector<uint8_t> a = synth_bytes("tiny-test", DType::kF32, 42, vocab, &summary);
  CHECK(summary.vocab_resized);  // the shape says 32000
  CHECK(summary.n_vocab == 512);
  CHECK(synth_bytes("tiny-test", DType::kF32, 42, vocab) == a);
  const std::vector<uint8_t> b = synth_bytes("tiny-test", DType::kF32, 43, vocab);
  CHECK(b.size() == a.size());
  CHECK(b != a);

  Result<GgufFile> f = GgufFile::parse(span(a));
  REQUIRE(f.is_ok());
  uint32_t shape_vocab = 0;
  REQUIRE(f.value().get_u32("ringlm.synth.shape_vocab_size", shape_vocab).is_ok());
  CHECK(shape_vocab == 32000);
  std::string_view description;
  REQUIRE(f.value().get_string("general.description", description).is_ok());
  CHECK(description.find("the real model has 32000") != std::string_view::npos);

  // Norms are 1.0; matrices ~ N(0, 0.02): mean and standard deviation over 131072 draws.
  const GgufTensor* norm = f.value().find_tensor("blk.0.attn_norm.weight");
  REQUIRE(norm != nullptr);
  for (int64_t i = 0; i < norm->ne[0]; ++i) CHECK(reinterpret_cast<const float*>(norm->data)[i] == 1.0f);
  const GgufTensor* up = f.value().find_tensor("blk.1.ffn_up.weight");
  REQUIRE(up != nullptr);
  const float* x = reinterpret_cast<const float*>(up->data);
  double sum = 0, sq = 0;
  const int64_t n = up->n_elements();
  for (int64_t i = 0; i < n; ++i) {
    sum += x[i];
    sq += static_cast<double>(x[i]) * x[i];
  }
  const double mean = sum / n, stddev = std::sqrt(sq / n - mean * mean);
  CHECK(std::fabs(mean) < 6 * 0.02 / std::sqrt(static_cast<double>(n)));  // six standard errors
  CHECK(stddev == doctest::Approx(0.02).epsilon(0.01));

  // The quantized file holds the same weights, quantized: q8_0 decodes to within a block step.
  const std::vector<uint8_t> q = synth_bytes("tiny-test", DType::kQ8_0, 42, vocab);
  Result<GgufFile> fq = GgufFile::parse(span(q));
  REQUIRE(fq.is_ok());
  const GgufTensor* upq = fq.value().find_tensor("blk.1.ffn_up.weight");
  REQUIRE(upq != nullptr);
  std::vector<float> row(static_cast<size_t>(upq->ne[0]));
  dequantize_row(DType::kQ8_0, upq->data, row.data(), upq->ne[0]);
  float worst = 0;
  for (size_t i = 0; i < row.size(); ++i) worst = std::max(worst, std::fabs(row[i] - x[i]));
  CHECK(worst < 0.002f);  // absmax of a 32-block ~ 0.06, step / 2 ~ 0.00025
}

TEST_CASE("synth: qwen2 shape has Q/K/V biases and a tied output; q4_k falls back where rows do not fit") {
  VocabFile vocab("vocab/ggml-vocab-gpt-2.gguf");
  const std::vector<uint8_t> bytes = synth_bytes("tiny-test-qwen2", DType::kQ8_0, 5, vocab);
  std::unique_ptr<Model> m = load_ok(load_gguf_from_memory(span(bytes)));
  CHECK(m->config.arch == "qwen2");
  CHECK(m->config.rope_style == RopeStyle::kHalves);
  CHECK(m->weights.output.data == m->weights.tok_embd.data);
  CHECK(m->weights.layers[0].bq.data != nullptr);
  CHECK(m->weights.layers[0].bk.dtype == DType::kF32);
  CHECK(m->config.n_vocab == 50257);
  const std::string path = ringlm_test::write_temp_file("synth_qwen.gguf", bytes);
  CHECK(ringlm_test::greedy_ids(path, "Hello", 4).size() == 4);
  std::remove(path.c_str());

  // smollm2-135m (embd 576 = 18 x 32) in q4_k: every matrix with 576-element rows is q4_0,
  // ffn_down (1536 = 6 x 256) is q4_k. Only planned, not written.
  const SynthShape* smol = find_synth_shape("smollm2-135m");
  REQUIRE(smol != nullptr);
  VocabFile starcoder("vocab/ggml-vocab-starcoder.gguf");
  GgufWriter w;
  SynthSummary summary;
  REQUIRE(synth_gguf(*smol, DType::kQ4_K, 0, starcoder.file.value(), "starcoder", w, &summary).is_ok());
  CHECK(summary.n_vocab == 49152);
  CHECK(!summary.vocab_resized);
  CHECK(summary.fallbacks.size() == 1 + 30 * 6);
  for (const SynthSummary::Fallback& fb : summary.fallbacks) {
    CAPTURE(fb.name);
    CHECK(fb.type == DType::kQ4_0);
    CHECK(fb.name.find("ffn_down") == std::string::npos);
  }
}

TEST_CASE("synth: a file without a tokenizer is rejected as a vocabulary") {
  // A GGUF with no tokenizer.ggml.* keys.
  GgufWriter empty;
  REQUIRE(empty.add_string("general.name", "no tokenizer").is_ok());
  std::vector<uint8_t> bytes;
  REQUIRE(empty.write(bytes).is_ok());
  Result<GgufFile> f = GgufFile::parse(span(bytes));
  REQUIRE(f.is_ok());
  GgufWriter w;
  const Status s = synth_gguf(*find_synth_shape("tiny-test"), DType::kF32, 0, f.value(), "empty.gguf", w, nullptr);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(s.message()).find("empty.gguf") != std::string::npos);
  CHECK(std::string(s.message()).find("tokenizer.ggml.model") != std::string::npos);
}
