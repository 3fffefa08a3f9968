// Any text through every vocabulary in shared/vocab (SPM and byte-level BPE): tokenize with and
// without BOS, detokenize, and every token's piece after its predecessor.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "models/gguf/gguf_file.h"
#include "models/gguf/gguf_vocab.h"
#include "models/tokenizer/tokenizer.h"

namespace {

std::vector<ringlm::Tokenizer>& tokenizers() {
  static std::vector<ringlm::Tokenizer> all;
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-phi-3.gguf",
                           "ggml-vocab-starcoder.gguf"}) {
    static std::vector<std::vector<uint8_t>> files;  // the GGUF views point into these
    files.push_back(ringlm_fuzz::read_file(ringlm_fuzz::shared_path(std::string("vocab/") + name)));
    const std::vector<uint8_t>& bytes = files.back();
    ringlm::Result<ringlm::GgufFile> f = ringlm::GgufFile::parse(ringlm::Span<const uint8_t>(bytes.data(), bytes.size()));
    if (!f.is_ok()) continue;
    ringlm::Result<ringlm::Vocab> v = ringlm::read_gguf_vocab(f.value());
    if (!v.is_ok()) continue;
    ringlm::Result<ringlm::Tokenizer> t = ringlm::Tokenizer::create(std::move(v.value()));
    if (t.is_ok()) tokenizers().push_back(std::move(t.value()));
  }
  if (tokenizers().empty()) __builtin_trap();  // no vocabulary found: set RINGLM_SHARED_DIR
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<int32_t> ids;
  for (const ringlm::Tokenizer& t : tokenizers()) {
    for (bool bos : {false, true}) {
      ids.clear();
      if (!t.encode(text, bos, ids).is_ok()) continue;
      int32_t prev = -1;
      for (int32_t id : ids) {
        if (id < 0 || id >= t.size()) __builtin_trap();  // an id outside the vocabulary
        (void)t.decoded_after(prev, id);
        prev = id;
      }
    }
  }
  return 0;
}
