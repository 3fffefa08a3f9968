#include "models/tokenizer/tokenizer.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "models/tokenizer/utf8.h"

namespace ringlm {

namespace {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

// "<0xNN>" -> NN, or -1.
int parse_byte_piece(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  int value = 0;
  for (size_t i = 3; i < 5; ++i) {
    char c = piece[i];
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

std::string spm_decode_piece(std::string_view piece) {
  std::string out;
  out.reserve(piece.size());
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, kSpmSpace.size(), kSpmSpace) == 0) {
      out.push_back(' ');
      i += kSpmSpace.size();
    } else {
      out.push_back(piece[i++]);
    }
  }
  return out;
}

}  // namespace

Result<Tokenizer> Tokenizer::create(Vocab vocab) {
  const size_t n = vocab.pieces.size();
  RINGLM_CHECK(n > 0, RINGLM_ERR_BAD_FORMAT, "tokenizer has no tokens");
  RINGLM_CHECK(n <= 0x7fffffff, RINGLM_ERR_BAD_FORMAT, "tokenizer has %zu tokens, too many", n);
  if (vocab.types.empty()) vocab.types.assign(n, TokenType::kNormal);
  RINGLM_CHECK(vocab.types.size() == n, RINGLM_ERR_BAD_FORMAT, "tokenizer has %zu tokens but %zu token types", n,
               vocab.types.size());
  if (vocab.kind == TokenizerKind::kSpm) {
    RINGLM_CHECK(vocab.scores.size() == n, RINGLM_ERR_BAD_FORMAT, "tokenizer has %zu tokens but %zu scores", n,
                 vocab.scores.size());
  }
  const int32_t count = static_cast<int32_t>(n);
  for (int32_t id : {vocab.bos, vocab.eos, vocab.unk, vocab.eot, vocab.pad}) {
    RINGLM_CHECK(id >= -1 && id < count, RINGLM_ERR_BAD_FORMAT,
                 "special token id %" PRId32 " outside the vocabulary of %" PRId32, id, count);
  }
  for (int32_t id : vocab.end_of_generation) {
    RINGLM_CHECK(id >= 0 && id < count, RINGLM_ERR_BAD_FORMAT, "end-of-generation id %" PRId32 " outside the vocabulary",
                 id);
  }

  Tokenizer t;
  t.vocab_ = std::move(vocab);
  t.index_.reserve(n);
  t.decoded_.resize(n);
  std::fill(std::begin(t.byte_tokens_), std::end(t.byte_tokens_), -1);
  for (size_t i = 0; i < n; ++i) {
    const std::string& piece = t.vocab_.pieces[i];
    t.index_.emplace(std::string_view(piece), static_cast<int32_t>(i));  // first occurrence wins
    TokenType type = t.vocab_.types[i];
    if (type == TokenType::kControl || type == TokenType::kUnused) continue;  // produce no text
    if (t.vocab_.kind == TokenizerKind::kSpm) {
      int byte = parse_byte_piece(piece);
      if (type == TokenType::kByte && byte >= 0) {
        if (t.byte_tokens_[byte] < 0) t.byte_tokens_[byte] = static_cast<int32_t>(i);
        t.decoded_[i] = std::string(1, static_cast<char>(byte));
      } else {
        t.decoded_[i] = spm_decode_piece(piece);
      }
    } else {
      // Byte-level BPE: user-defined tokens are literal text; the rest map code points back to bytes.
      t.decoded_[i] = type == TokenType::kUserDefined ? piece : gpt2_unicode_to_bytes(piece);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (t.vocab_.pieces[i].empty()) continue;
    if (t.vocab_.types[i] == TokenType::kUserDefined) t.user_defined_.push_back(static_cast<int32_t>(i));
    if (t.vocab_.types[i] == TokenType::kUserDefined || t.vocab_.types[i] == TokenType::kControl) {
      t.specials_.push_back(static_cast<int32_t>(i));
    }
  }
  const auto longest_first = [&t](int32_t a, int32_t b) {
    return t.vocab_.pieces[static_cast<size_t>(a)].size() > t.vocab_.pieces[static_cast<size_t>(b)].size();
  };
  std::stable_sort(t.user_defined_.begin(), t.user_defined_.end(), longest_first);
  std::stable_sort(t.specials_.begin(), t.specials_.end(), longest_first);
  if (t.vocab_.kind == TokenizerKind::kBpe) RINGLM_TRY(t.init_bpe());
  return t;
}

int32_t Tokenizer::find(std::string_view piece) const {
  auto it = index_.find(piece);
  return it == index_.end() ? -1 : it->second;
}

std::string_view Tokenizer::decoded_after(int32_t prev, int32_t id) const {
  std::string_view piece = decoded(id);
  if (vocab_.kind == TokenizerKind::kSpm && vocab_.add_space_prefix && prev >= 0 && prev == vocab_.bos &&
      !piece.empty() && piece[0] == ' ') {
    piece.remove_prefix(1);
  }
  return piece;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
  return std::find(vocab_.end_of_generation.begin(), vocab_.end_of_generation.end(), id) !=
         vocab_.end_of_generation.end();
}

Status Tokenizer::encode(std::string_view text, bool add_bos, std::vector<int32_t>& out, bool parse_special) const {
  if (add_bos) {
    RINGLM_CHECK(vocab_.bos >= 0, RINGLM_ERR_INVALID_ARGUMENT, "BOS requested but the vocabulary has no BOS token");
    out.push_back(vocab_.bos);
  }
  if (text.empty()) return Status::ok();

  // Cut the text at user-defined (and with parse_special, control) tokens, longest piece first (each
  // one splits every stretch of text the longer ones left); id < 0 marks a stretch of text.
  struct Fragment {
    size_t start, len;
    int32_t id;
  };
  std::vector<Fragment> fragments{{0, text.size(), -1}};
  for (int32_t special : parse_special ? specials_ : user_defined_) {
    const std::string_view piece = vocab_.pieces[static_cast<size_t>(special)];
    std::vector<Fragment> next;
    for (const Fragment& f : fragments) {
      if (f.id >= 0 || f.len < piece.size()) {
        next.push_back(f);
        continue;
      }
      const std::string_view span = text.substr(f.start, f.len);
      size_t pos = 0;
      for (size_t hit; (hit = span.find(piece, pos)) != std::string_view::npos; pos = hit + piece.size()) {
        if (hit > pos) next.push_back(Fragment{f.start + pos, hit - pos, -1});
        next.push_back(Fragment{f.start + hit, piece.size(), special});
      }
      if (pos < f.len) next.push_back(Fragment{f.start + pos, f.len - pos, -1});
    }
    fragments.swap(next);
  }

  bool after_special = true;  // SPM: the input start counts as following a special token
  for (const Fragment& f : fragments) {
    if (f.id >= 0) {
      out.push_back(f.id);
      after_special = true;
      continue;
    }
    const std::string_view part = text.substr(f.start, f.len);
    if (vocab_.kind == TokenizerKind::kSpm) {
      RINGLM_TRY(encode_spm(part, vocab_.add_space_prefix && after_special, out));
    } else {
      RINGLM_TRY(encode_bpe(part, out));
    }
    after_special = false;
  }
  return Status::ok();
}

}  // namespace ringlm
