// GGUF tokenizers against llama.cpp's tokenizer test vectors (shared/vocab/*.inp/.out), and
// encode/decode round trips on vocabularies that ship without vectors.
//
// Vector format, as llama.cpp's test-tokenizer-0 reads it: inputs are the pieces of the .inp file
// between separators "\n__ggml_vocab_test__\n" (the newline before each separator belongs to the
// separator, so an input line "\n" is the text "\n" only when two newlines precede it); the file
// ends with a separator. Each .out line holds one input's ids, space-separated, without BOS;
// encoding uses add_bos = false and does not parse control tokens.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "models/gguf/gguf_vocab.h"
#include "models/tokenizer/tokenizer.h"
#include "ringlm.h"
#include "test_support.h"

using namespace ringlm;

namespace {

struct VocabFile {
  std::vector<uint8_t> bytes;  // the GgufFile's views point here; the Tokenizer copies what it needs
  Tokenizer tokenizer;
};

void load_vocab(const std::string& name, VocabFile& out) {
  out.bytes = ringlm_test::read_file(ringlm_test::shared_path("vocab/" + name));
  REQUIRE_MESSAGE(!out.bytes.empty(), "missing shared file vocab/", name);
  Result<GgufFile> file = GgufFile::parse(Span<const uint8_t>(out.bytes.data(), out.bytes.size()));
  REQUIRE_MESSAGE(file.is_ok(), file.status().message());
  Result<Vocab> vocab = read_gguf_vocab(file.value());
  REQUIRE_MESSAGE(vocab.is_ok(), vocab.status().message());
  Result<Tokenizer> tok = Tokenizer::create(std::move(vocab.value()));
  REQUIRE_MESSAGE(tok.is_ok(), tok.status().message());
  out.tokenizer = std::move(tok.value());
}

struct Vector {
  std::string text;
  std::vector<int32_t> ids;
};

std::vector<Vector> read_vectors(const std::string& name) {
  const std::vector<uint8_t> inp = ringlm_test::read_file(ringlm_test::shared_path("vocab/" + name + ".inp"));
  const std::vector<uint8_t> out = ringlm_test::read_file(ringlm_test::shared_path("vocab/" + name + ".out"));
  REQUIRE(!inp.empty());
  REQUIRE(!out.empty());
  const std::string raw(inp.begin(), inp.end());
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t pos = 0; pos < raw.size();) {
    const size_t next = raw.find(sep, pos);
    if (next == std::string::npos) {
      texts.push_back(raw.substr(pos));
      break;
    }
    texts.push_back(raw.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::vector<Vector> vectors;
  std::istringstream lines(std::string(out.begin(), out.end()));
  std::string line;
  size_t i = 0;
  while (std::getline(lines, line)) {
    REQUIRE(i < texts.size());
    Vector v;
    v.text = texts[i++];
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) v.ids.push_back(id);
    vectors.push_back(std::move(v));
  }
  CHECK(vectors.size() == texts.size());
  return vectors;
}

std::string ids_string(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += " " + std::to_string(id);
  return s;
}

// Checks every vector, one CHECK per vector with its text; returns how many passed.
size_t check_vectors(const std::string& name) {
  VocabFile vf;
  load_vocab(name, vf);
  const std::vector<Vector> vectors = read_vectors(name);
  size_t passed = 0;
  for (size_t i = 0; i < vectors.size(); ++i) {
    const Vector& v = vectors[i];
    std::vector<int32_t> ids;
    const Status s = vf.tokenizer.encode(v.text, false, ids);
    CHECK_MESSAGE(s.is_ok(), s.message());
    INFO(name << " vector " << i << " text [" << v.text << "]");
    INFO("expected" << ids_string(v.ids));
    INFO("got     " << ids_string(ids));
    CHECK(ids == v.ids);
    if (ids == v.ids) ++passed;
  }
  MESSAGE(name << ": " << passed << "/" << vectors.size() << " vectors match");
  return passed;
}

std::string decode_all(const Tokenizer& t, const std::vector<int32_t>& ids) {
  std::string out;
  int32_t prev = -1;
  for (int32_t id : ids) {
    out.append(t.decoded_after(prev, id));
    prev = id;
  }
  return out;
}

const std::vector<std::string> kRoundTripTexts = {
    "Hello world",
    " leading space, trailing space ",
    "Numbers 1234567890 and 3.14159",
    "tabs\tand\nnewlines\r\n\n  indented",
    "def f(x):\n    return x ** 2  # comment\n",
    "UTF-8: caf\xC3\xA9, na\xC3\xAFve, \xE4\xBD\xA0\xE5\xA5\xBD, \xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE, emoji \xF0\x9F\xA6\x99",
    "I've been 'told he's there, 'RE you sure?",
    "symbols #$%&*()[]{}<>~^|`@!?",
};

void check_round_trip(const std::string& name) {
  VocabFile vf;
  load_vocab(name, vf);
  const Tokenizer& t = vf.tokenizer;
  for (const std::string& text : kRoundTripTexts) {
    CAPTURE(text);
    std::vector<int32_t> ids;
    const Status s = t.encode(text, t.vocab().add_bos, ids);
    REQUIRE_MESSAGE(s.is_ok(), s.message());
    CHECK(!ids.empty());
    for (int32_t id : ids) {
      CHECK(id >= 0);
      CHECK(id < t.size());
    }
    CHECK(decode_all(t, ids) == text);
  }
}

}  // namespace

TEST_CASE("vocab vectors: ggml-vocab-llama-spm.gguf (SentencePiece)") {
  CHECK(check_vectors("ggml-vocab-llama-spm.gguf") == 46);
}

TEST_CASE("vocab vectors: ggml-vocab-gpt-2.gguf (byte-level BPE, gpt-2 pre-tokenizer)") {
  CHECK(check_vectors("ggml-vocab-gpt-2.gguf") == 46);
}

TEST_CASE("vocab round trip: ggml-vocab-phi-3.gguf (SentencePiece with user-defined and control tokens)") {
  check_round_trip("ggml-vocab-phi-3.gguf");
  VocabFile vf;
  load_vocab("ggml-vocab-phi-3.gguf", vf);
  const Vocab& v = vf.tokenizer.vocab();
  CHECK(v.kind == TokenizerKind::kSpm);
  CHECK(v.bos == 1);
  CHECK(v.eos == 32000);
  CHECK(v.pad == 32000);
  CHECK(v.add_bos);
  CHECK(v.add_space_prefix);
  CHECK(v.eot == 32007);  // "<|end|>", detected by its text
  CHECK(vf.tokenizer.is_end_of_generation(32000));
  CHECK(vf.tokenizer.is_end_of_generation(32007));
  // A user-defined token in the text is matched as one token; control tokens are not.
  std::vector<int32_t> ids;
  REQUIRE(vf.tokenizer.encode("a</s>b", false, ids).is_ok());
  CHECK(std::find(ids.begin(), ids.end(), 2) != ids.end());
  ids.clear();
  REQUIRE(vf.tokenizer.encode("a<|end|>b", false, ids).is_ok());
  CHECK(std::find(ids.begin(), ids.end(), 32007) == ids.end());
}

TEST_CASE("vocab round trip: ggml-vocab-starcoder.gguf (byte-level BPE, starcoder pre-tokenizer)") {
  check_round_trip("ggml-vocab-starcoder.gguf");
  VocabFile vf;
  load_vocab("ggml-vocab-starcoder.gguf", vf);
  const Vocab& v = vf.tokenizer.vocab();
  CHECK(v.kind == TokenizerKind::kBpe);
  CHECK(v.pre == "starcoder");
  CHECK(!v.add_bos);
  CHECK(v.eos == 0);
  // starcoder splits digits one by one before the GPT-2 rules.
  std::vector<int32_t> ids;
  REQUIRE(vf.tokenizer.encode("12345", false, ids).is_ok());
  CHECK(ids.size() == 5);
}

namespace {

// Every vocabulary file in shared/vocab, sorted.
std::vector<std::string> shared_vocabularies() {
  std::vector<std::string> names;
  DIR* dir = opendir(ringlm_test::shared_path("vocab").c_str());
  REQUIRE(dir != nullptr);
  for (dirent* e = readdir(dir); e != nullptr; e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".gguf") == 0) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

struct ModelFree {
  void operator()(ringlm_model* m) const { ringlm_model_free(m); }
};
using ModelHandle = std::unique_ptr<ringlm_model, ModelFree>;

ModelHandle open_vocab_only(const std::string& path) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = path.c_str();
  mp.vocab_only = true;
  ringlm_model* m = nullptr;
  const ringlm_status st = ringlm_model_open(&mp, &m);
  REQUIRE_MESSAGE(st == RINGLM_OK, path, ": ", ringlm_last_error_message());
  return ModelHandle(m);
}

std::vector<int32_t> c_tokenize(const ringlm_model* m, const std::string& text, bool add_bos) {
  std::vector<int32_t> ids(text.size() + 8);
  size_t n = 0;
  const ringlm_status st = ringlm_tokenize(m, text.data(), text.size(), add_bos, ids.data(), ids.size(), &n);
  REQUIRE_MESSAGE(st == RINGLM_OK, ringlm_last_error_message());
  ids.resize(n);
  return ids;
}

}  // namespace

// What `ringlm tokenize` does: the tokenizer alone (vocab_only, so phi3, gpt2 and starcoder2 files
// open too), BOS as the model info says. With vectors, the ids are llama.cpp's (BOS prepended when
// the rule adds it); without, the text round-trips.
TEST_CASE("vocab vectors through the C API: every shared vocabulary opened vocab_only, BOS as llama.cpp adds it") {
  const std::vector<std::string> names = shared_vocabularies();
  REQUIRE(names.size() >= 4);
  for (const std::string& name : names) {
    CAPTURE(name);
    VocabFile vf;
    load_vocab(name, vf);
    const Vocab& v = vf.tokenizer.vocab();
    ModelHandle m = open_vocab_only(ringlm_test::shared_path("vocab/" + name));
    ringlm_model_info info;
    info.struct_size = sizeof(info);
    REQUIRE(ringlm_model_get_info(m.get(), &info) == RINGLM_OK);
    CHECK(info.n_vocab == vf.tokenizer.size());
    CHECK(info.n_layer == 0);
    CHECK(info.n_params == 0);
    // llama.cpp's rule for these files: add_bos_token where given, else SentencePiece adds BOS
    // and GPT-2 style BPE (gpt-2, starcoder) does not.
    CHECK(info.add_bos == (v.kind == TokenizerKind::kSpm));
    CHECK(!info.add_eos);

    const std::vector<uint8_t> out = ringlm_test::read_file(ringlm_test::shared_path("vocab/" + name + ".out"));
    if (!out.empty()) {
      const std::vector<Vector> vectors = read_vectors(name);
      size_t passed = 0;
      for (const Vector& vec : vectors) {
        std::vector<int32_t> expected = vec.ids;
        if (info.add_bos) expected.insert(expected.begin(), info.bos_token);
        const std::vector<int32_t> ids = c_tokenize(m.get(), vec.text, info.add_bos);
        INFO("text [" << vec.text << "] expected" << ids_string(expected) << " got" << ids_string(ids));
        CHECK(ids == expected);
        passed += ids == expected ? 1 : 0;
      }
      MESSAGE(name << " through the C API: " << passed << "/" << vectors.size() << " vectors match");
      continue;
    }
    for (const std::string& text : kRoundTripTexts) {
      const std::vector<int32_t> ids = c_tokenize(m.get(), text, info.add_bos);
      REQUIRE(!ids.empty());
      CHECK((ids.front() == info.bos_token) == info.add_bos);
      const std::vector<int32_t> body(ids.begin() + (info.add_bos ? 1 : 0), ids.end());
      std::vector<int32_t> direct;
      REQUIRE(vf.tokenizer.encode(text, false, direct).is_ok());
      CHECK(body == direct);
      std::string back(text.size() + 64, '\0');
      size_t written = 0;
      REQUIRE(ringlm_detokenize(m.get(), ids.data(), ids.size(), &back[0], back.size(), &written) == RINGLM_OK);
      back.resize(written);
      CHECK(back == text);
    }
  }
}
