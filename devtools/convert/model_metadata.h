// The GGUF metadata a ringlm-loadable model carries, written from the in-memory structures the
// loaders produce (the inverse of gguf_model.cpp's read_config and gguf_vocab.cpp).
//
//   general.architecture, {arch}.context_length, embedding_length, block_count,
//   feed_forward_length, attention.head_count, attention.head_count_kv, attention.key_length
//   (only when head_dim differs from n_embd / n_head), attention.layer_norm_rms_epsilon,
//   rope.freq_base, rope.dimension_count, attention.sliding_window (when set), vocab_size
//   tokenizer.ggml.{model, tokens, scores (SPM), token_type, merges + pre (BPE),
//   bos/eos/unknown/padding/eot_token_id (those >= 0), add_bos_token, add_eos_token,
//   add_space_prefix}
// Linear RoPE scaling other than 1 is written as rope.scaling.type linear + rope.scaling.factor.
#pragma once

#include "devtools/convert/gguf_writer.h"
#include "models/model.h"

namespace ringlm {

// `n_vocab` goes to {arch}.vocab_size; the config's own n_vocab is used when it is 0.
Status add_model_hparams(GgufWriter& w, const ModelConfig& c);

Status add_vocab_metadata(GgufWriter& w, const Vocab& v);

// Adds a weight view under `name`: 1-D ([cols]) when `one_d`, else [cols, rows].
Status add_view_tensor(GgufWriter& w, const char* name, const TensorView& view, bool one_d);

}  // namespace ringlm
