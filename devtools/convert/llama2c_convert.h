// llama2.c checkpoint + tokenizer -> GGUF "llama" (f32), loadable by gguf_model.cpp.
//
// The checkpoint goes through the llama2.c loader (same validation), then every weight is added
// by pointer into the checkpoint bytes, unchanged: llama2.c and GGUF "llama" share the
// adjacent-pairs RoPE layout, so wq/wk need no permutation and the GGUF model's logits are
// bit-identical to the checkpoint's. Names and shapes (ne0 = row length first):
//   token_embd.weight [dim, vocab]   output_norm.weight [dim]   output.weight [dim, vocab] (only
//   when the checkpoint has its own classifier; otherwise the loader ties it to token_embd)
//   blk.N.attn_norm [dim]  attn_q [dim, q_dim]  attn_k, attn_v [dim, kv_dim]  attn_output [q_dim, dim]
//   blk.N.ffn_norm [dim]   ffn_gate (w1), ffn_up (w3) [dim, ff]   ffn_down (w2) [ff, dim]
// Metadata: model_metadata.h with the checkpoint's seq_len as context_length, eps 1e-5, RoPE base
// 10000; the tokenizer as SPM with U+2581 spaces, scores, token types (unknown 0, control 1 and 2,
// byte pieces), BOS 1, EOS 2, UNK 0, add_bos, add_space_prefix; general.file_type 0 (all f32).
//
// One behaviour GGUF cannot carry: the llama2.c loader also ends generation at BOS (the stories
// were trained separated by BOS); the GGUF model ends at EOS only.
#pragma once

#include <string>

#include "devtools/convert/gguf_writer.h"
#include "core/span.h"

namespace ringlm {

// Adds the model to `out`, an empty writer. Tensor data stays in `checkpoint`, which must outlive
// the write. `name` becomes general.name.
Status llama2c_to_gguf(Span<const uint8_t> checkpoint, Span<const uint8_t> tokenizer, const std::string& name,
                       GgufWriter& out);

// Maps both files and writes `out_path` (general.name: the checkpoint's file name).
Status convert_llama2c_file(const char* checkpoint_path, const char* tokenizer_path, const char* out_path,
                            const WriteProgress& progress = {});

}  // namespace ringlm
