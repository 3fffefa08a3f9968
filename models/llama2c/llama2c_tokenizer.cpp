#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "models/llama2c/llama2c_loader.h"

namespace ringlm {

namespace {

// llama2.c files store spaces as ' '; the canonical SentencePiece form uses U+2581.
std::string to_spm_spaces(const uint8_t* bytes, size_t len) {
  std::string out;
  out.reserve(len);
  for (size_t i = 0; i < len; ++i) {
    if (bytes[i] == ' ') {
      out.append("\xE2\x96\x81");
    } else {
      out.push_back(static_cast<char>(bytes[i]));
    }
  }
  return out;
}

bool is_byte_piece(const std::string& p) {
  return p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>';
}

}  // namespace

Result<Vocab> read_llama2c_vocab(Span<const uint8_t> bytes, int32_t n_vocab) {
  RINGLM_CHECK(bytes.size() >= 4, RINGLM_ERR_TRUNCATED, "tokenizer file is %zu bytes, shorter than its header",
               bytes.size());
  Vocab vocab;
  vocab.kind = TokenizerKind::kSpm;
  // Every token takes at least 8 bytes of the file: reserve no more than the bytes can hold.
  const size_t most = std::min(static_cast<size_t>(n_vocab > 0 ? n_vocab : 0), (bytes.size() - 4) / 8);
  vocab.pieces.reserve(most);
  vocab.scores.reserve(most);
  size_t off = 4;  // max_token_length is advisory; lengths are checked one by one instead
  for (int32_t i = 0; i < n_vocab; ++i) {
    if (off == bytes.size()) {
      return Status::error(RINGLM_ERR_VOCAB_MISMATCH,
                           "tokenizer has %" PRId32 " tokens but the model has a vocabulary of %" PRId32, i, n_vocab);
    }
    RINGLM_CHECK(bytes.size() - off >= 8, RINGLM_ERR_TRUNCATED,
                 "tokenizer file ends inside token %" PRId32 " (offset %zu)", i, off);
    float score;
    int32_t len;
    std::memcpy(&score, bytes.data() + off, 4);
    std::memcpy(&len, bytes.data() + off + 4, 4);
    off += 8;
    RINGLM_CHECK(len >= 0, RINGLM_ERR_BAD_FORMAT, "token %" PRId32 " has negative length %" PRId32 " (offset %zu)", i,
                 len, off - 4);
    RINGLM_CHECK(bytes.size() - off >= static_cast<size_t>(len), RINGLM_ERR_TRUNCATED,
                 "tokenizer file ends inside token %" PRId32 " (needs %" PRId32 " bytes at offset %zu)", i, len, off);
    vocab.pieces.push_back(to_spm_spaces(bytes.data() + off, static_cast<size_t>(len)));
    vocab.scores.push_back(score);
    off += static_cast<size_t>(len);
  }
  RINGLM_CHECK(off == bytes.size(), RINGLM_ERR_VOCAB_MISMATCH,
               "tokenizer has more tokens than the model's vocabulary of %" PRId32 " (%zu bytes left over)", n_vocab,
               bytes.size() - off);

  // llama2.c's SentencePiece export: 0 = <unk>, 1 = <s> (BOS), 2 = </s> (EOS), bytes as <0xNN>.
  vocab.types.assign(static_cast<size_t>(n_vocab), TokenType::kNormal);
  for (size_t i = 0; i < vocab.pieces.size(); ++i) {
    if (is_byte_piece(vocab.pieces[i])) vocab.types[i] = TokenType::kByte;
  }
  if (n_vocab > 2) {
    vocab.unk = 0;
    vocab.bos = 1;
    vocab.eos = 2;
    vocab.types[0] = TokenType::kUnknown;
    vocab.types[1] = TokenType::kControl;
    vocab.types[2] = TokenType::kControl;
    // llama2.c models were trained with BOS between stories, so BOS ends a generation too.
    vocab.end_of_generation = {1, 2};
  }
  vocab.add_bos = true;
  vocab.add_space_prefix = true;
  return vocab;
}

}  // namespace ringlm
