// Parses the real GGUF files in the shared folder and checks facts read independently from them
// (a stdlib-only Python struct dump): hyperparameters, vocabulary sizes, tensor shapes and bytes.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "test_support.h"

using namespace ringlm;

namespace {

std::vector<uint8_t> load(const std::string& relative) {
  std::vector<uint8_t> bytes = ringlm_test::read_file(ringlm_test::shared_path(relative));
  REQUIRE_MESSAGE(!bytes.empty(), "missing shared file ", relative);
  return bytes;
}

uint32_t u32(const GgufFile& f, const char* key) {
  uint32_t v = 0;
  Status s = f.get_u32(key, v);
  CHECK_MESSAGE(s.is_ok(), s.message());
  return v;
}

std::string str(const GgufFile& f, const char* key) {
  std::string_view v;
  Status s = f.get_string(key, v);
  CHECK_MESSAGE(s.is_ok(), s.message());
  return std::string(v);
}

}  // namespace

TEST_CASE("gguf reader: stories260K.gguf metadata") {
  std::vector<uint8_t> bytes = load("models/stories260K.gguf");
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const GgufFile& f = r.value();

  CHECK(f.version() == 3);
  CHECK(f.alignment() == 32);
  CHECK(f.metadata().size() == 19);
  CHECK(f.tensors().size() == 48);
  CHECK(f.data_offset() == 14176);
  CHECK(str(f, "general.architecture") == "llama");
  CHECK(u32(f, "llama.block_count") == 5);
  CHECK(u32(f, "llama.embedding_length") == 64);
  CHECK(u32(f, "llama.context_length") == 128);
  CHECK(u32(f, "llama.feed_forward_length") == 172);
  CHECK(u32(f, "llama.attention.head_count") == 8);
  CHECK(u32(f, "llama.attention.head_count_kv") == 4);
  float eps = 0;
  CHECK(f.get_f32("llama.attention.layer_norm_rms_epsilon", eps).is_ok());
  CHECK(eps == doctest::Approx(1e-5f));

  // Stored as u32 0xFFFFFFFF: fine as u32, out of range as i32.
  CHECK(u32(f, "tokenizer.ggml.seperator_token_id") == 4294967295u);
  int32_t as_i32 = 0;
  Status s = f.get_i32("tokenizer.ggml.seperator_token_id", as_i32);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(s.message()).find("out of range") != std::string::npos);

  std::vector<std::string_view> tokens;
  REQUIRE(f.string_array("tokenizer.ggml.tokens", tokens).is_ok());
  REQUIRE(tokens.size() == 512);
  CHECK(tokens[0] == "<unk>");
  CHECK(tokens[1] == "<s>");
  CHECK(tokens[2] == "</s>");
  CHECK(tokens[511] == "\xe2\x80\x8a");

  std::vector<float> scores;
  REQUIRE(f.f32_array("tokenizer.ggml.scores", scores).is_ok());
  REQUIRE(scores.size() == 512);
  CHECK(scores[0] == 0.0f);
  CHECK(scores[511] == -252.0f);

  std::vector<int32_t> types;
  REQUIRE(f.i32_array("tokenizer.ggml.token_type", types).is_ok());
  REQUIRE(types.size() == 512);
  CHECK(types[0] == 2);
  CHECK(types[1] == 3);
  CHECK(types[511] == 1);

  GgufType elem = GgufType::kU8;
  uint64_t count = 0;
  REQUIRE(f.array_info("tokenizer.ggml.tokens", elem, count).is_ok());
  CHECK(elem == GgufType::kString);
  CHECK(count == 512);
}

TEST_CASE("gguf reader: stories260K.gguf tensors") {
  std::vector<uint8_t> bytes = load("models/stories260K.gguf");
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const GgufFile& f = r.value();

  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  REQUIRE(embd != nullptr);
  CHECK(embd->n_dims == 2);
  CHECK(embd->ne[0] == 64);
  CHECK(embd->ne[1] == 512);
  CHECK(embd->dtype == DType::kF32);
  CHECK(embd->offset == 0);
  CHECK(embd->data == bytes.data() + 14176);
  CHECK(embd->bytes == 64 * 512 * 4);
  TensorView v = embd->view();
  CHECK(v.rows == 512);
  CHECK(v.cols == 64);
  CHECK(v.row_bytes == 256);
  float first = 0;
  std::memcpy(&first, embd->data, 4);
  CHECK(first == doctest::Approx(-0.29474878311157227));

  const GgufTensor* norm = f.find_tensor("output_norm.weight");
  REQUIRE(norm != nullptr);
  CHECK(norm->n_dims == 1);
  CHECK(norm->view().rows == 1);
  CHECK(norm->offset == 131072);
  double sum = 0;
  for (int i = 0; i < 64; ++i) {
    float x;
    std::memcpy(&x, norm->data + 4 * i, 4);
    sum += x;
  }
  CHECK(sum == doctest::Approx(115.95276230573654));

  const GgufTensor* k = f.find_tensor("blk.0.attn_k.weight");
  REQUIRE(k != nullptr);
  CHECK(k->ne[0] == 64);
  CHECK(k->ne[1] == 32);
  CHECK(f.find_tensor("blk.4.ffn_norm.weight") != nullptr);
  CHECK(f.find_tensor("blk.5.ffn_norm.weight") == nullptr);
}

TEST_CASE("gguf reader: llama-2-tiny-random.gguf (f16 weights)") {
  std::vector<uint8_t> bytes = load("models/llama-2-tiny-random.gguf");
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const GgufFile& f = r.value();

  CHECK(f.version() == 3);
  CHECK(f.metadata().size() == 18);
  CHECK(f.tensors().size() == 12);
  CHECK(str(f, "general.architecture") == "llama");
  CHECK(str(f, "general.name") == "LLaMA v2");
  CHECK(u32(f, "llama.block_count") == 1);
  CHECK(u32(f, "llama.embedding_length") == 8);
  CHECK(u32(f, "llama.feed_forward_length") == 32);
  CHECK(u32(f, "llama.context_length") == 4096);
  CHECK(u32(f, "general.file_type") == 1);

  const GgufTensor* embd = f.find_tensor("token_embd.weight");
  REQUIRE(embd != nullptr);
  CHECK(embd->dtype == DType::kF16);
  CHECK(embd->ne[0] == 8);
  CHECK(embd->ne[1] == 32000);
  CHECK(embd->bytes == 8 * 32000 * 2);
  CHECK(embd->view().row_bytes == 16);

  const GgufTensor* q = f.find_tensor("blk.0.attn_q.weight");
  REQUIRE(q != nullptr);
  CHECK(q->offset == 512000);
  uint16_t h0 = 0, h1 = 0;
  std::memcpy(&h0, q->data, 2);
  std::memcpy(&h1, q->data + 2, 2);
  CHECK(h0 == 0x2636);
  CHECK(h1 == 0x250b);

  // The last tensor ends exactly at the end of the file.
  const GgufTensor* out = f.find_tensor("output.weight");
  REQUIRE(out != nullptr);
  CHECK(out->data + out->bytes == bytes.data() + bytes.size());

  std::vector<std::string_view> tokens;
  REQUIRE(f.string_array("tokenizer.ggml.tokens", tokens).is_ok());
  CHECK(tokens.size() == 32000);
  CHECK(tokens.back() == "\xe7\xbb\x99");
}

TEST_CASE("gguf reader: vocabulary-only files") {
  struct Expect {
    const char* file;
    const char* arch;
    size_t n_tokens;
    size_t n_merges;  // 0 = no merges key
  };
  const Expect cases[] = {
      {"vocab/ggml-vocab-llama-spm.gguf", "llama", 32000, 0},
      {"vocab/ggml-vocab-phi-3.gguf", "phi3", 32064, 0},
      {"vocab/ggml-vocab-gpt-2.gguf", "gpt2", 50257, 50000},
      {"vocab/ggml-vocab-starcoder.gguf", "starcoder2", 49152, 48872},
  };
  for (const Expect& e : cases) {
    CAPTURE(e.file);
    std::vector<uint8_t> bytes = load(e.file);
    Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    const GgufFile& f = r.value();
    CHECK(f.tensors().empty());
    CHECK(str(f, "general.architecture") == e.arch);
    std::vector<std::string_view> tokens;
    REQUIRE(f.string_array("tokenizer.ggml.tokens", tokens).is_ok());
    CHECK(tokens.size() == e.n_tokens);
    CHECK(f.has("tokenizer.ggml.merges") == (e.n_merges != 0));
    if (e.n_merges != 0) {
      std::vector<std::string_view> merges;
      REQUIRE(f.string_array("tokenizer.ggml.merges", merges).is_ok());
      CHECK(merges.size() == e.n_merges);
    }
  }
}

TEST_CASE("gguf reader: llama-spm vocab details and getter errors") {
  std::vector<uint8_t> bytes = load("vocab/ggml-vocab-llama-spm.gguf");
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const GgufFile& f = r.value();

  bool add_bos = false, add_eos = true;
  CHECK(f.get_bool("tokenizer.ggml.add_bos_token", add_bos).is_ok());
  CHECK(f.get_bool("tokenizer.ggml.add_eos_token", add_eos).is_ok());
  CHECK(add_bos);
  CHECK(!add_eos);
  CHECK(u32(f, "llama.vocab_size") == 32000);
  CHECK(str(f, "tokenizer.ggml.pre") == "default");

  uint32_t n = 0;
  Status missing = f.get_u32("llama.no_such_key", n);
  CHECK(missing.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(missing.message()).find("llama.no_such_key") != std::string::npos);

  Status wrong = f.get_u32("general.architecture", n);
  CHECK(wrong.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(wrong.message()).find("general.architecture") != std::string::npos);
  CHECK(std::string(wrong.message()).find("expected u32, found string") != std::string::npos);

  std::vector<float> floats;
  Status not_floats = f.f32_array("tokenizer.ggml.tokens", floats);
  CHECK(not_floats.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(std::string(not_floats.message()).find("array of string") != std::string::npos);
}
