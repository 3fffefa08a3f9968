// The tokenizer a GGUF file carries (tokenizer.ggml.* metadata), as a Vocab.
//
//   tokenizer.ggml.model       "llama" -> SentencePiece (kSpm), "gpt2" -> byte-level BPE (kBpe)
//   tokenizer.ggml.tokens      string[n]        pieces, as stored
//   tokenizer.ggml.scores      f32[n]           SPM merge scores (0 when absent)
//   tokenizer.ggml.token_type  i32[n]           TokenType numbering (normal when absent)
//   tokenizer.ggml.merges      string[]         BPE "left right" rules, highest priority first
//   tokenizer.ggml.pre         string           BPE pre-tokenizer name ("default" when absent)
//   tokenizer.ggml.{bos,eos,unknown,padding,eot,eom}_token_id   u32; out-of-range ids are ignored
//   tokenizer.ggml.{add_bos_token,add_eos_token,add_space_prefix} bool
//
// Defaults follow llama.cpp: SPM has BOS 1, EOS 2, UNK 0, adds BOS and a space prefix; BPE adds
// neither, except the Llama 3 family which adds BOS. End of generation: EOS, EOT, EOM, and the
// tokens whose text llama.cpp recognises as ending a turn ("<|eot_id|>", "<|im_end|>", ...).
#pragma once

#include "models/gguf/gguf_file.h"
#include "models/tokenizer/vocab.h"
#include "core/status.h"

namespace ringlm {

// RINGLM_ERR_BAD_FORMAT for missing or mistyped arrays (naming the key), RINGLM_ERR_UNSUPPORTED
// for a tokenizer model ringlm does not have.
Result<Vocab> read_gguf_vocab(const GgufFile& file);

}  // namespace ringlm
