// Byte-level BPE pre-tokenizers: word splits derived by hand from each family's regex (the GPT-2
// family is also covered end to end by the gpt-2 vocabulary vectors).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/tokenizer/pre_tokenizer.h"

using namespace ringlm;

namespace {

std::vector<std::string> split(PreTokenizer pre, const std::string& text) {
  std::vector<std::string_view> words;
  pre_tokenize(pre, text, words);
  std::string joined;
  for (std::string_view w : words) joined.append(w);
  CHECK(joined == text);  // words cover the text in order
  return std::vector<std::string>(words.begin(), words.end());
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("pre-tokenizer: names map to llama.cpp's families; unknown names are refused") {
  PreTokenizer pre = PreTokenizer::kGpt2;
  bool ignore = true;
  CHECK(pre_tokenizer_from_name("", pre, ignore));
  CHECK(pre == PreTokenizer::kDefault);
  CHECK(pre_tokenizer_from_name("llama-bpe", pre, ignore));
  CHECK(pre == PreTokenizer::kLlama3);
  CHECK(ignore);
  CHECK(pre_tokenizer_from_name("qwen2", pre, ignore));
  CHECK(pre == PreTokenizer::kQwen2);
  CHECK(!ignore);
  CHECK(pre_tokenizer_from_name("smollm", pre, ignore));
  CHECK(pre == PreTokenizer::kDigitsThenGpt2);
  CHECK(pre_tokenizer_from_name("gpt-2", pre, ignore));
  CHECK(pre == PreTokenizer::kGpt2);
  CHECK(!pre_tokenizer_from_name("tekken", pre, ignore));
}

TEST_CASE("pre-tokenizer: gpt2") {
  const PreTokenizer p = PreTokenizer::kGpt2;
  CHECK(split(p, "Hello world") == Words{"Hello", " world"});
  CHECK(split(p, "  Hello") == Words{" ", " Hello"});
  CHECK(split(p, "I've 'RE") == Words{"I", "'ve", " '", "RE"});
  CHECK(split(p, "Hello, y'all!") == Words{"Hello", ",", " y", "'", "all", "!"});
  CHECK(split(p, "x \n") == Words{"x", " \n"});
  CHECK(split(p, "a   b") == Words{"a", "  ", " b"});
  CHECK(split(p, "3333 x") == Words{"3333", " x"});
  CHECK(split(p, "\xD0\xBD\xD0\xB5 \xE6\x88\x91" "apple") == Words{"\xD0\xBD\xD0\xB5", " \xE6\x88\x91" "apple"});
  CHECK(split(p, "\xFF\xFEz") == Words{"\xFF\xFE", "z"});  // malformed bytes classify as U+FFFD (a symbol)
}

TEST_CASE("pre-tokenizer: llama3 and qwen2") {
  const PreTokenizer p = PreTokenizer::kLlama3;
  CHECK(split(p, "Hello, y'all!") == Words{"Hello", ",", " y", "'all", "!"});
  CHECK(split(p, "I've 'RE") == Words{"I", "'ve", " '", "RE"});  // ' RE': the space leads the punctuation
  CHECK(split(p, "'RE") == Words{"'RE"});                       // contractions ignore case
  CHECK(split(p, "3333333") == Words{"333", "333", "3"});
  CHECK(split(p, "\n\n  x") == Words{"\n\n", " ", " x"});
  CHECK(split(p, "x?!\n\ny") == Words{"x", "?!\n\n", "y"});
  CHECK(split(p, "\tword") == Words{"\tword"});
  CHECK(split(p, "a  ") == Words{"a", "  "});
  CHECK(split(PreTokenizer::kQwen2, "x 3333") == Words{"x", " ", "3", "3", "3", "3"});
}

TEST_CASE("pre-tokenizer: default chain and digit splitting") {
  CHECK(split(PreTokenizer::kDefault, "Hello, world!!") == Words{"Hello", ",", " world", "!!"});
  CHECK(split(PreTokenizer::kDefault, "x 12345") == Words{"x", " ", "123", "45"});
  CHECK(split(PreTokenizer::kDigitsThenGpt2, "abc123 x") == Words{"abc", "1", "2", "3", " x"});
}
