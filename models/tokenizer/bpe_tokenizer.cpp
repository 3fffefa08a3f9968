// Byte-level BPE encoding (GGUF "gpt2" vocabularies): pre-tokenizer split, then ranked merges.
#include "models/tokenizer/tokenizer.h"

namespace ringlm {

Status Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const {
  return Status::error(RINGLM_ERR_UNSUPPORTED, "byte-level BPE tokenizers are not supported yet");
}

}  // namespace ringlm
