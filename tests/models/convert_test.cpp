// ringlm convert: stories260K.bin + tok512.bin -> GGUF. The written file must parse back to the
// checkpoint's exact tensors and the metadata the loader needs, give bit-identical logits to the
// .bin through a Session, and reproduce the golden greedy ids; bad inputs fail cleanly.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "e2e/golden_reference.h"
#include "devtools/convert/llama2c_convert.h"
#include "models/gguf/gguf_file.h"
#include "models/gguf/gguf_model.h"
#include "models/llama2c/llama2c_loader.h"
#include "models/model_compare.h"
#include "test_support.h"

using namespace ringlm;
using ringlm_test::load_ok;

namespace {

struct Stories {
  std::vector<uint8_t> checkpoint = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.bin"));
  std::vector<uint8_t> tokenizer = ringlm_test::read_file(ringlm_test::shared_path("models/tok512.bin"));
  std::unique_ptr<Model> bin;
  std::vector<uint8_t> gguf;

  Stories() {
    REQUIRE(!checkpoint.empty());
    REQUIRE(!tokenizer.empty());
    bin = load_ok(load_llama2c_from_memory(span(checkpoint), span(tokenizer)));
    GgufWriter w;
    const Status s = llama2c_to_gguf(span(checkpoint), span(tokenizer), "stories260K", w);
    REQUIRE_MESSAGE(s.is_ok(), s.message());
    REQUIRE(w.write(gguf).is_ok());
  }
  static Span<const uint8_t> span(const std::vector<uint8_t>& v) { return Span<const uint8_t>(v.data(), v.size()); }
};

void check_bytes(const GgufFile& f, const std::string& name, const TensorView& want, std::vector<int64_t> dims) {
  CAPTURE(name);
  const GgufTensor* t = f.find_tensor(name);
  REQUIRE(t != nullptr);
  CHECK(t->dtype == DType::kF32);
  REQUIRE(t->n_dims == dims.size());
  for (size_t d = 0; d < dims.size(); ++d) CHECK(t->ne[d] == dims[d]);
  REQUIRE(t->bytes == want.bytes());
  CHECK(std::memcmp(t->data, want.data, t->bytes) == 0);
}

}  // namespace

TEST_CASE("convert: stories260K round trip — every tensor byte-identical, metadata complete") {
  Stories s;
  Result<GgufFile> parsed = GgufFile::parse(Stories::span(s.gguf));
  REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().message());
  const GgufFile& f = parsed.value();
  const ModelConfig& c = s.bin->config;

  std::string_view str;
  REQUIRE(f.get_string("general.architecture", str).is_ok());
  CHECK(str == "llama");
  REQUIRE(f.get_string("general.name", str).is_ok());
  CHECK(str == "stories260K");
  const struct {
    const char* key;
    uint32_t want;
  } u32s[] = {{"general.file_type", 0},
              {"llama.context_length", 512},
              {"llama.embedding_length", 64},
              {"llama.block_count", 5},
              {"llama.feed_forward_length", 172},
              {"llama.attention.head_count", 8},
              {"llama.attention.head_count_kv", 4},
              {"llama.rope.dimension_count", 8},
              {"llama.vocab_size", 512},
              {"tokenizer.ggml.bos_token_id", 1},
              {"tokenizer.ggml.eos_token_id", 2},
              {"tokenizer.ggml.unknown_token_id", 0}};
  for (const auto& k : u32s) {
    CAPTURE(k.key);
    uint32_t v = 0;
    REQUIRE(f.get_u32(k.key, v).is_ok());
    CHECK(v == k.want);
  }
  float eps = 0, base = 0;
  REQUIRE(f.get_f32("llama.attention.layer_norm_rms_epsilon", eps).is_ok());
  REQUIRE(f.get_f32("llama.rope.freq_base", base).is_ok());
  CHECK(eps == 1e-5f);
  CHECK(base == 10000.0f);
  bool add_bos = false;
  REQUIRE(f.get_bool("tokenizer.ggml.add_bos_token", add_bos).is_ok());
  CHECK(add_bos);
  REQUIRE(f.get_string("tokenizer.ggml.model", str).is_ok());
  CHECK(str == "llama");

  // The tokenizer as the in-memory Vocab holds it: U+2581 spaces, scores, types.
  const Vocab& v = s.bin->tokenizer.vocab();
  std::vector<std::string_view> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
  REQUIRE(f.string_array("tokenizer.ggml.tokens", tokens).is_ok());
  REQUIRE(f.f32_array("tokenizer.ggml.scores", scores).is_ok());
  REQUIRE(f.i32_array("tokenizer.ggml.token_type", types).is_ok());
  REQUIRE(tokens.size() == 512);
  for (size_t i = 0; i < tokens.size(); ++i) {
    CAPTURE(i);
    CHECK(tokens[i] == v.pieces[i]);
    CHECK(scores[i] == v.scores[i]);
    CHECK(types[i] == static_cast<int32_t>(v.types[i]));
  }
  CHECK(types[0] == static_cast<int32_t>(TokenType::kUnknown));
  CHECK(types[1] == static_cast<int32_t>(TokenType::kControl));
  CHECK(types[3] == static_cast<int32_t>(TokenType::kByte));  // <0x00>
  CHECK(tokens[3] == "<0x00>");
  bool has_spm_space = false;
  for (std::string_view t : tokens) has_spm_space = has_spm_space || t.find("\xE2\x96\x81") != std::string_view::npos;
  CHECK(has_spm_space);

  // Tensors: the checkpoint's bytes, in GGUF shapes; the classifier is shared, so no output.weight.
  const ModelWeights& w = s.bin->weights;
  const int64_t dim = c.n_embd, kv = c.kv_dim(), ff = c.n_ff;
  CHECK(f.tensors().size() == 2 + 9 * 5);
  CHECK(f.find_tensor("output.weight") == nullptr);
  check_bytes(f, "token_embd.weight", w.tok_embd, {dim, 512});
  check_bytes(f, "output_norm.weight", w.output_norm, {dim});
  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    const std::string p = "blk." + std::to_string(l) + ".";
    check_bytes(f, p + "attn_norm.weight", lw.attn_norm, {dim});
    check_bytes(f, p + "attn_q.weight", lw.wq, {dim, dim});
    check_bytes(f, p + "attn_k.weight", lw.wk, {dim, kv});
    check_bytes(f, p + "attn_v.weight", lw.wv, {dim, kv});
    check_bytes(f, p + "attn_output.weight", lw.wo, {dim, dim});
    check_bytes(f, p + "ffn_norm.weight", lw.ffn_norm, {dim});
    check_bytes(f, p + "ffn_gate.weight", lw.w_gate, {dim, ff});
    check_bytes(f, p + "ffn_up.weight", lw.w_up, {dim, ff});
    check_bytes(f, p + "ffn_down.weight", lw.w_down, {ff, dim});
  }

  // The loader reads it back to the same config, tied output and tokenizer.
  std::unique_ptr<Model> g = load_ok(load_gguf(f));
  CHECK(g->config.n_ctx_train == c.n_ctx_train);
  CHECK(g->config.n_vocab == c.n_vocab);
  CHECK(g->config.head_dim == c.head_dim);
  CHECK(g->config.norm_eps == c.norm_eps);
  CHECK(g->weights.output.data == g->weights.tok_embd.data);
  CHECK(g->n_params == s.bin->n_params);
  std::vector<int32_t> a, b;
  REQUIRE(s.bin->tokenizer.encode("Once upon a time, Lily saw a big dog.", true, a).is_ok());
  REQUIRE(g->tokenizer.encode("Once upon a time, Lily saw a big dog.", true, b).is_ok());
  CHECK(a == b);
}

TEST_CASE("convert: the GGUF gives logits bit-identical to the .bin for 64 teacher-forced steps") {
  Stories s;
  std::unique_ptr<Model> g = load_ok(load_gguf_from_memory(Stories::span(s.gguf)));
  std::vector<int32_t> ids = {1};
  ids.insert(ids.end(), std::begin(ringlm_test::kReferenceIds), std::begin(ringlm_test::kReferenceIds) + 63);
  const auto ref = ringlm_test::teacher_forced_logits(*s.bin, ids);
  const auto got = ringlm_test::teacher_forced_logits(*g, ids);
  REQUIRE(ref.size() == 64);
  for (size_t t = 0; t < ref.size(); ++t) {
    CAPTURE(t);
    CHECK(std::memcmp(ref[t].data(), got[t].data(), ref[t].size() * sizeof(float)) == 0);
  }
}

TEST_CASE("convert: the written file reproduces the golden greedy ids and text") {
  const std::string path = ringlm_test::write_temp_file("convert_stories260K.gguf", {});
  const Status st = convert_llama2c_file(ringlm_test::shared_path("models/stories260K.bin").c_str(),
                                         ringlm_test::shared_path("models/tok512.bin").c_str(), path.c_str());
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  std::string text;
  const std::vector<int32_t> ids = ringlm_test::greedy_ids(path, "Once upon a time", 123, &text);
  const std::vector<int32_t> want(std::begin(ringlm_test::kReferenceIds) + 4, std::end(ringlm_test::kReferenceIds));
  CHECK(ids == want);
  CHECK(text == ringlm_test::kReferenceText);
  std::remove(path.c_str());
}

TEST_CASE("convert: bad inputs fail with the file and the reason, and leave no output") {
  const std::string bin = ringlm_test::shared_path("models/stories260K.bin");
  const std::string tok = ringlm_test::shared_path("models/tok512.bin");
  const std::string out = ringlm_test::write_temp_file("convert_bad.gguf", {});
  std::remove(out.c_str());

  Status s = convert_llama2c_file("/nonexistent/stories.bin", tok.c_str(), out.c_str());
  CHECK(s.code() == RINGLM_ERR_FILE_NOT_FOUND);
  s = convert_llama2c_file(bin.c_str(), "/nonexistent/tok.bin", out.c_str());
  CHECK(s.code() == RINGLM_ERR_FILE_NOT_FOUND);
  s = convert_llama2c_file(tok.c_str(), tok.c_str(), out.c_str());  // a tokenizer is no checkpoint
  CHECK(!s.is_ok());
  CHECK(std::string(s.message()).find("tok512.bin") != std::string::npos);
  // A GGUF model is said to be one (it once read as a checkpoint with an absurd dim).
  const std::string gguf = ringlm_test::shared_path("models/stories260K.gguf");
  s = convert_llama2c_file(gguf.c_str(), tok.c_str(), out.c_str());
  CHECK(s.code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(s.message()).find("stories260K.gguf: already a GGUF model") != std::string::npos);
  s = convert_llama2c_file(bin.c_str(), bin.c_str(), out.c_str());  // nor is a checkpoint a tokenizer
  CHECK(!s.is_ok());
  CHECK(ringlm_test::read_file(out).empty());
  s = convert_llama2c_file(bin.c_str(), tok.c_str(), "/nonexistent-ringlm-dir/out.gguf");
  CHECK(s.code() == RINGLM_ERR_IO);
  CHECK(std::string(s.message()).find("/nonexistent-ringlm-dir/out.gguf") != std::string::npos);
  CHECK(convert_llama2c_file(bin.c_str(), tok.c_str(), "").code() == RINGLM_ERR_INVALID_ARGUMENT);
}
