// Byte-level BPE encoding (GGUF "gpt2" vocabularies), with llama.cpp's pre-tokenizer rules.
//
//  1. Pre-tokenize: split the text into words. Each `tokenizer.ggml.pre` name maps to a chain of
//     stages (llama.cpp's regex lists); every stage splits each word the previous one produced.
//     The regexes need \p{L} and \p{N}, which std::regex lacks, so each is a hand-written matcher
//     over code points (character classes from unicode.h). Two kinds of stage:
//       - whole-pattern splitters (GPT-2's and Llama 3's regex) that cut a word into the
//         consecutive matches of their alternation, tried in order as a regex engine would;
//       - single-pattern splitters: every match becomes a word and so does every gap between
//         matches (how llama.cpp applies a regex such as \p{N} or [0-9][0-9][0-9]).
//  2. Map each word's bytes to GPT-2's printable code points (utf8.h).
//  3. Merge adjacent symbols, lowest merge rank first (leftmost on ties; symbol_merge.h).
//  4. Each final symbol is a piece; one that is not falls back to its characters' tokens.
//
// Malformed UTF-8 bytes are classified as U+FFFD (as llama.cpp does) but keep their own bytes,
// so the text still round-trips.
#include <array>

#include "models/tokenizer/pre_tokenizer.h"
#include "models/tokenizer/symbol_merge.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/unicode.h"
#include "models/tokenizer/utf8.h"

namespace ringlm {

namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;  // "no code point": outside the word being split
constexpr uint8_t kWs = kUnicodeWhitespace, kL = kUnicodeLetter, kN = kUnicodeNumber;

// A word being split: code points [begin, end) of the whole text; reads outside it see kNone
// with no flags, so a lookahead never crosses into the next word.
struct Word {
  const std::vector<uint32_t>& cps;
  size_t begin, end;
  std::vector<size_t>& ends;  // output: end of each piece, in code point indices
  size_t prev;                // end of the last piece emitted

  uint32_t cp(size_t p) const { return p < end ? cps[p] : kNone; }
  uint8_t flags(size_t p) const { return p < end ? unicode_flags(cps[p]) : 0; }
  void emit(size_t e) {
    if (e > prev) ends.push_back(e);
    prev = e;
  }
};

// 's|'t|'re|'ve|'m|'ll|'d at pos (case-insensitive when asked): its length, or 0.
size_t contraction(const Word& w, size_t pos, bool any_case) {
  if (w.cp(pos) != '\'' || pos + 1 >= w.end) return 0;
  auto lower = [any_case](uint32_t c) { return any_case && c >= 'A' && c <= 'Z' ? c + 32 : c; };
  const uint32_t a = lower(w.cp(pos + 1));
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (pos + 2 >= w.end) return 0;
  const uint32_t b = lower(w.cp(pos + 2));
  return (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') ? 3 : 0;
}

// The whitespace alternatives shared by both regexes, at pos (a whitespace run):
//   \s+(?!\S) : a run followed by more text leaves its last space to the next word;
//   \s+       : otherwise the whole run.
size_t whitespace_end(const Word& w, size_t pos, size_t run) {
  return run > 1 && pos + run < w.end ? pos + run - 1 : pos + run;
}

// GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void split_gpt2(Word& w) {
  for (size_t pos = w.begin; pos < w.end;) {
    if (size_t n = contraction(w, pos, false)) {
      w.emit(pos += n);
      continue;
    }
    const uint32_t c = w.cp(pos);
    const uint8_t f = c == ' ' ? w.flags(pos + 1) : w.flags(pos);  // class after an optional space
    const size_t start = pos + (c == ' ' ? 1 : 0);
    if (f & (kL | kN)) {  // ?\p{L}+ | ?\p{N}+
      const uint8_t cls = f & kL ? kL : kN;
      pos = start;
      while (w.flags(pos) & cls) ++pos;
      w.emit(pos);
      continue;
    }
    if (f != 0 && !(f & kWs)) {  // ?[^\s\p{L}\p{N}]+
      pos = start;
      while (w.flags(pos) != 0 && !(w.flags(pos) & (kWs | kL | kN))) ++pos;
      w.emit(pos);
      continue;
    }
    size_t run = 0;
    while (w.flags(pos + run) & kWs) ++run;
    if (run > 0) {
      w.emit(pos = whitespace_end(w, pos, run));
      continue;
    }
    w.emit(++pos);  // nothing matched: one code point
  }
}

// Llama 3 (max_digits 3) and Qwen2 (max_digits 1):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//   \s*[\r\n]+|\s+(?!\S)|\s+
void split_llama3(Word& w, size_t max_digits) {
  auto is_newline = [](uint32_t c) { return c == '\r' || c == '\n'; };
  for (size_t pos = w.begin; pos < w.end;) {
    if (size_t n = contraction(w, pos, true)) {
      w.emit(pos += n);
      continue;
    }
    const uint32_t c = w.cp(pos);
    const uint8_t f = w.flags(pos);
    // [^\r\n\p{L}\p{N}]?\p{L}+ : letters, or one other character then letters.
    if (!is_newline(c) && !(f & kN) && ((f & kL) || (w.flags(pos + 1) & kL))) {
      ++pos;
      while (w.flags(pos) & kL) ++pos;
      w.emit(pos);
      continue;
    }
    if (f & kN) {  // \p{N}{1,max}: digits in groups of max_digits
      size_t group = pos;
      while (w.flags(pos) & kN) {
        if (++pos - group >= max_digits) {
          w.emit(pos);
          group = pos;
        }
      }
      w.emit(pos);
      continue;
    }
    const uint8_t f2 = c == ' ' ? w.flags(pos + 1) : f;
    if (!(f2 & (kWs | kL | kN))) {  // ?[^\s\p{L}\p{N}]+[\r\n]*
      pos += c == ' ' ? 1 : 0;
      while (w.flags(pos) != 0 && !(w.flags(pos) & (kWs | kL | kN))) ++pos;
      while (is_newline(w.cp(pos))) ++pos;
      w.emit(pos);
      continue;
    }
    size_t run = 0, after_newline = 0;
    for (; w.flags(pos + run) & kWs; ++run) {
      if (is_newline(w.cp(pos + run))) after_newline = pos + run + 1;
    }
    if (after_newline > 0) {  // \s*[\r\n]+ : up to the run's last newline
      w.emit(pos = after_newline);
      continue;
    }
    if (run > 0) {
      w.emit(pos = whitespace_end(w, pos, run));
      continue;
    }
    w.emit(++pos);
  }
}

// A single pattern: matches and the gaps between them each become a word. `match` returns the
// length of the match starting at pos (0: none).
template <typename Match>
void split_matches(Word& w, Match match) {
  size_t gap = w.begin;
  for (size_t pos = w.begin; pos < w.end;) {
    const size_t n = match(w, pos);
    if (n == 0) {
      ++pos;
      continue;
    }
    if (pos > gap) w.emit(pos);
    w.emit(pos += n);
    gap = pos;
  }
  w.emit(w.end);
}

size_t match_one_number(const Word& w, size_t pos) { return w.flags(pos) & kN ? 1 : 0; }  // \p{N}

size_t match_numbers(const Word& w, size_t pos) {  // \p{N}+
  size_t p = pos;
  while (w.flags(p) & kN) ++p;
  return p - pos;
}

size_t match_three_digits(const Word& w, size_t pos) {  // [0-9][0-9][0-9]
  for (size_t i = 0; i < 3; ++i) {
    const uint32_t c = w.cp(pos + i);
    if (c < '0' || c > '9') return 0;
  }
  return 3;
}

size_t match_punctuation(const Word& w, size_t pos) {  // [\p{P}\$\+<=>\^~\|]+
  auto is_punct = [&w](size_t p) {
    const uint32_t c = w.cp(p);
    return (w.flags(p) & kUnicodePunctuation) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' ||
           c == '^' || c == '~' || c == '|';
  };
  size_t p = pos;
  while (is_punct(p)) ++p;
  return p - pos;
}

// GPT-2's byte -> code point map as UTF-8, built once (every code point is below U+0800).
struct ByteChars {
  char bytes[256][2];
  uint8_t len[256];
};
const ByteChars& byte_chars() {
  static const ByteChars table = [] {
    ByteChars t{};
    for (uint32_t b = 0; b < 256; ++b) {
      std::string s;
      utf8_append(s, gpt2_byte_to_unicode(static_cast<uint8_t>(b)));
      t.len[b] = static_cast<uint8_t>(s.size());
      for (size_t i = 0; i < s.size(); ++i) t.bytes[b][i] = s[i];
    }
    return t;
  }();
  return table;
}

}  // namespace

bool pre_tokenizer_from_name(std::string_view name, PreTokenizer& pre, bool& ignore_merges) {
  struct Family {
    const char* name;
    PreTokenizer pre;
    bool ignore_merges;
  };
  // Names and families as llama.cpp's llama-vocab.cpp groups them.
  static const Family kFamilies[] = {
      {"default", PreTokenizer::kDefault, false},     {"gpt-2", PreTokenizer::kGpt2, false},
      {"gpt2", PreTokenizer::kGpt2, false},           {"phi-2", PreTokenizer::kGpt2, false},
      {"mpt", PreTokenizer::kGpt2, false},            {"olmo", PreTokenizer::kGpt2, false},
      {"jais", PreTokenizer::kGpt2, false},           {"roberta-bpe", PreTokenizer::kGpt2, false},
      {"llama3", PreTokenizer::kLlama3, true},        {"llama-v3", PreTokenizer::kLlama3, true},
      {"llama-bpe", PreTokenizer::kLlama3, true},     {"falcon3", PreTokenizer::kLlama3, true},
      {"pixtral", PreTokenizer::kLlama3, true},       {"dbrx", PreTokenizer::kLlama3, false},
      {"smaug-bpe", PreTokenizer::kLlama3, false},    {"qwen2", PreTokenizer::kQwen2, false},
      {"deepseek-r1-qwen", PreTokenizer::kQwen2, false}, {"stablelm2", PreTokenizer::kQwen2, false},
      {"megrez", PreTokenizer::kQwen2, false},        {"starcoder", PreTokenizer::kDigitsThenGpt2, false},
      {"refact", PreTokenizer::kDigitsThenGpt2, false}, {"smollm", PreTokenizer::kDigitsThenGpt2, false},
      {"command-r", PreTokenizer::kDigitsThenGpt2, false}, {"codeshell", PreTokenizer::kDigitsThenGpt2, false},
      {"exaone", PreTokenizer::kDigitsThenGpt2, false}, {"minerva-7b", PreTokenizer::kDigitsThenGpt2, false},
  };
  if (name.empty()) name = "default";
  for (const Family& f : kFamilies) {
    if (name == f.name) {
      pre = f.pre;
      ignore_merges = f.ignore_merges;
      return true;
    }
  }
  return false;
}

Status Tokenizer::init_bpe() {
  const std::string& name = vocab_.pre;
  RINGLM_CHECK(pre_tokenizer_from_name(name, pre_, ignore_merges_), RINGLM_ERR_UNSUPPORTED,
               "byte-level BPE pre-tokenizer '%.64s' is not supported", name.c_str());
  merge_ranks_.clear();
  merge_ranks_.reserve(vocab_.merges.size());
  for (size_t i = 0; i < vocab_.merges.size(); ++i) {
    merge_ranks_.emplace(std::string_view(vocab_.merges[i]), static_cast<int32_t>(i));  // first wins
  }
  return Status::ok();
}

void pre_tokenize(PreTokenizer pre, std::string_view text, std::vector<std::string_view>& words) {
  // Code points and the byte offset where each starts.
  std::vector<uint32_t> cps, offsets;
  cps.reserve(text.size());
  offsets.reserve(text.size() + 1);
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    uint32_t cp = utf8_next(text, pos);
    if (pos - start == 1 && cp >= 0x80) cp = 0xFFFD;  // a malformed byte
    offsets.push_back(static_cast<uint32_t>(start));
    cps.push_back(cp);
  }
  offsets.push_back(static_cast<uint32_t>(text.size()));

  // Word ends (code point indices) after each stage of the chain.
  std::vector<size_t> ends{cps.size()};
  auto stage = [&](auto split) {
    std::vector<size_t> next;
    next.reserve(ends.size() * 2);
    size_t begin = 0;
    for (size_t end : ends) {
      Word w{cps, begin, end, next, begin};
      split(w);
      begin = end;
    }
    ends.swap(next);
  };
  auto gpt2 = [](Word& w) { split_gpt2(w); };
  switch (pre) {
    case PreTokenizer::kGpt2:
      stage(gpt2);
      break;
    case PreTokenizer::kDefault:
      stage([](Word& w) { split_matches(w, match_punctuation); });
      stage(gpt2);
      stage([](Word& w) { split_matches(w, match_numbers); });
      stage([](Word& w) { split_matches(w, match_three_digits); });
      break;
    case PreTokenizer::kLlama3:
      stage([](Word& w) { split_llama3(w, 3); });
      break;
    case PreTokenizer::kQwen2:
      stage([](Word& w) { split_llama3(w, 1); });
      break;
    case PreTokenizer::kDigitsThenGpt2:
      stage([](Word& w) { split_matches(w, match_one_number); });
      stage(gpt2);
      break;
  }
  size_t begin = 0;
  for (size_t end : ends) {
    words.push_back(text.substr(offsets[begin], offsets[end] - offsets[begin]));
    begin = end;
  }
}

Status Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const {
  RINGLM_CHECK(text.size() < 0x7fffffffu, RINGLM_ERR_INVALID_ARGUMENT, "text too long to tokenize (%zu bytes)",
               text.size());
  // 1. Pre-tokenize.
  std::vector<std::string_view> words;
  pre_tokenize(pre_, text, words);

  const ByteChars& chars = byte_chars();
  std::string word;
  std::string pair_key;
  std::vector<MergeSymbol> symbols;
  for (std::string_view raw : words) {
    // 2. The word's bytes as GPT-2 code points.
    word.clear();
    for (char c : raw) {
      const uint8_t byte = static_cast<uint8_t>(c);
      word.append(chars.bytes[byte], chars.len[byte]);
    }
    if (ignore_merges_) {
      const int32_t id = find(word);
      if (id >= 0) {
        out.push_back(id);
        continue;
      }
    }

    // 3. Ranked merges over the word's characters.
    split_symbols(word, symbols);
    if (symbols.empty()) continue;
    merge_symbols(word, symbols, [&](std::string_view a, std::string_view b, double& priority) {
      pair_key.assign(a.data(), a.size());
      pair_key.push_back(' ');
      pair_key.append(b.data(), b.size());
      auto it = merge_ranks_.find(pair_key);
      if (it != merge_ranks_.end()) priority = -static_cast<double>(it->second);  // lowest rank first
      return it != merge_ranks_.end();
    });

    // 4. Symbols to ids; an unknown symbol falls back to its characters (then <unk>).
    for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
      const MergeSymbol& s = symbols[static_cast<size_t>(i)];
      const std::string_view piece = std::string_view(word).substr(s.start, s.len);
      const int32_t id = find(piece);
      if (id >= 0) {
        out.push_back(id);
        continue;
      }
      for (size_t pos = 0; pos < piece.size();) {
        const size_t start = pos;
        utf8_next(piece, pos);
        const int32_t char_id = find(piece.substr(start, pos - start));
        if (char_id >= 0) {
          out.push_back(char_id);
        } else {
          RINGLM_CHECK(vocab_.unk >= 0, RINGLM_ERR_INVALID_ARGUMENT,
                       "a byte of the text has no token and the vocabulary has no unknown token");
          out.push_back(vocab_.unk);
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace ringlm
