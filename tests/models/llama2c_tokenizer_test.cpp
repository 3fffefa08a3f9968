// llama2.c tokenizer (tok512.bin): reference encodings, byte fallback, and encode/decode round trips.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/llama2c/llama2c_loader.h"
#include "models/tokenizer/tokenizer.h"
#include "test_support.h"

using namespace ringlm;

namespace {

Tokenizer load_tok512() {
  std::vector<uint8_t> bytes = ringlm_test::read_file(ringlm_test::shared_path("models/tok512.bin"));
  REQUIRE(!bytes.empty());
  Result<Vocab> vocab = read_llama2c_vocab(Span<const uint8_t>(bytes.data(), bytes.size()), 512);
  REQUIRE(vocab.is_ok());
  Result<Tokenizer> t = Tokenizer::create(std::move(vocab.value()));
  REQUIRE(t.is_ok());
  return std::move(t.value());
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

}  // namespace

TEST_CASE("tok512: matches llama2.c's encoding of the golden prompt") {
  Tokenizer t = load_tok512();
  std::vector<int32_t> ids;
  REQUIRE(t.encode("Once upon a time", true, ids).is_ok());
  // BOS, then the ids llama2.c's bpe_encode gives (dummy-prefix space included).
  CHECK(ids == std::vector<int32_t>{1, 403, 407, 261, 378});
  CHECK(t.size() == 512);
  CHECK(t.vocab().bos == 1);
  CHECK(t.vocab().eos == 2);
}

TEST_CASE("tok512: round trip on varied text, including bytes outside the vocabulary") {
  Tokenizer t = load_tok512();
  const std::vector<std::string> texts = {
      "Lily and Ben went to the park. They saw a big dog!",
      "  two leading spaces and trailing  ",
      "numbers 12345 and symbols #$%&*()[]{}<>",
      "tabs\tand\nnewlines\r\n",
      "UTF-8: caf\xC3\xA9, na\xC3\xAFve, \xE4\xBD\xA0\xE5\xA5\xBD, emoji \xF0\x9F\xA6\x99",
      std::string("control \x01\x02\x7F bytes"),
      "\xFF\xFE invalid UTF-8 \xC3",
      "a",
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    std::vector<int32_t> ids;
    REQUIRE(t.encode(text, true, ids).is_ok());
    for (int32_t id : ids) {
      CHECK(id >= 0);
      CHECK(id < 512);
    }
    // decoded_after drops the dummy-prefix space after BOS, so the text comes back exactly.
    CHECK(decode_all(t, ids) == text);
  }
}

TEST_CASE("tok512: characters missing from the vocabulary fall back to byte tokens") {
  Tokenizer t = load_tok512();
  std::vector<int32_t> ids;
  REQUIRE(t.encode("\xE4\xBD\xA0", false, ids).is_ok());  // 你: not one of 512 pieces
  // dummy prefix "▁" then three byte tokens <0xE4><0xBD><0xA0> (ids byte + 3 in llama2.c vocabularies)
  REQUIRE(ids.size() == 4);
  CHECK(ids[1] == 0xE4 + 3);
  CHECK(ids[2] == 0xBD + 3);
  CHECK(ids[3] == 0xA0 + 3);
  CHECK(t.decoded(ids[1]) == std::string("\xE4"));
}

TEST_CASE("tok512: merges prefer the highest score, leftmost on ties") {
  Tokenizer t = load_tok512();
  std::vector<int32_t> ids;
  REQUIRE(t.encode("the the the", false, ids).is_ok());
  // The same word encodes the same way wherever it stands.
  REQUIRE(ids.size() % 3 == 0);
  const size_t per = ids.size() / 3;
  for (size_t i = 0; i < per; ++i) {
    CHECK(ids[i] == ids[per + i]);
    CHECK(ids[i] == ids[2 * per + i]);
  }
  std::vector<int32_t> empty;
  REQUIRE(t.encode("", false, empty).is_ok());
  CHECK(empty.empty());
}
