#include "devtools/convert/model_metadata.h"

#include <string>
#include <vector>

namespace ringlm {

Status add_model_hparams(GgufWriter& w, const ModelConfig& c) {
  RINGLM_TRY(c.validate());
  const std::string p = c.arch + ".";
  RINGLM_TRY(w.add_string("general.architecture", c.arch));
  RINGLM_TRY(w.add_u32(p + "context_length", static_cast<uint32_t>(c.n_ctx_train)));
  RINGLM_TRY(w.add_u32(p + "embedding_length", static_cast<uint32_t>(c.n_embd)));
  RINGLM_TRY(w.add_u32(p + "block_count", static_cast<uint32_t>(c.n_layer)));
  RINGLM_TRY(w.add_u32(p + "feed_forward_length", static_cast<uint32_t>(c.n_ff)));
  RINGLM_TRY(w.add_u32(p + "attention.head_count", static_cast<uint32_t>(c.n_head)));
  RINGLM_TRY(w.add_u32(p + "attention.head_count_kv", static_cast<uint32_t>(c.n_head_kv)));
  if (c.head_dim * c.n_head != c.n_embd) {
    RINGLM_TRY(w.add_u32(p + "attention.key_length", static_cast<uint32_t>(c.head_dim)));
    RINGLM_TRY(w.add_u32(p + "attention.value_length", static_cast<uint32_t>(c.head_dim)));
  }
  RINGLM_TRY(w.add_f32(p + "attention.layer_norm_rms_epsilon", c.norm_eps));
  RINGLM_TRY(w.add_f32(p + "rope.freq_base", c.rope_base));
  RINGLM_TRY(w.add_u32(p + "rope.dimension_count", static_cast<uint32_t>(c.head_dim)));
  if (c.rope_freq_scale != 1.0f) {
    RINGLM_TRY(w.add_string(p + "rope.scaling.type", "linear"));
    RINGLM_TRY(w.add_f32(p + "rope.scaling.factor", 1.0f / c.rope_freq_scale));
  }
  if (c.sliding_window > 0) {
    RINGLM_TRY(w.add_u32(p + "attention.sliding_window", static_cast<uint32_t>(c.sliding_window)));
  }
  RINGLM_TRY(w.add_u32(p + "vocab_size", static_cast<uint32_t>(c.n_vocab)));
  return Status::ok();
}

Status add_vocab_metadata(GgufWriter& w, const Vocab& v) {
  const size_t n = v.pieces.size();
  RINGLM_CHECK(n > 0 && v.types.size() == n, RINGLM_ERR_INVALID_ARGUMENT,
               "vocabulary has %zu pieces and %zu token types", n, v.types.size());
  const bool spm = v.kind == TokenizerKind::kSpm;
  RINGLM_TRY(w.add_string("tokenizer.ggml.model", spm ? "llama" : "gpt2"));
  if (!spm && !v.pre.empty()) RINGLM_TRY(w.add_string("tokenizer.ggml.pre", v.pre));
  RINGLM_TRY(w.add_string_array("tokenizer.ggml.tokens", v.pieces));
  if (spm) {
    RINGLM_CHECK(v.scores.size() == n, RINGLM_ERR_INVALID_ARGUMENT, "SPM vocabulary has %zu scores for %zu pieces",
                 v.scores.size(), n);
    RINGLM_TRY(w.add_f32_array("tokenizer.ggml.scores", Span<const float>(v.scores.data(), n)));
  }
  std::vector<int32_t> types(n);
  for (size_t i = 0; i < n; ++i) types[i] = static_cast<int32_t>(v.types[i]);
  RINGLM_TRY(w.add_i32_array("tokenizer.ggml.token_type", Span<const int32_t>(types.data(), n)));
  if (!spm) RINGLM_TRY(w.add_string_array("tokenizer.ggml.merges", v.merges));
  const struct {
    const char* key;
    int32_t id;
  } ids[] = {{"tokenizer.ggml.bos_token_id", v.bos},     {"tokenizer.ggml.eos_token_id", v.eos},
             {"tokenizer.ggml.unknown_token_id", v.unk}, {"tokenizer.ggml.padding_token_id", v.pad},
             {"tokenizer.ggml.eot_token_id", v.eot}};
  for (const auto& id : ids) {
    if (id.id >= 0) RINGLM_TRY(w.add_u32(id.key, static_cast<uint32_t>(id.id)));
  }
  RINGLM_TRY(w.add_bool("tokenizer.ggml.add_bos_token", v.add_bos));
  RINGLM_TRY(w.add_bool("tokenizer.ggml.add_eos_token", v.add_eos));
  RINGLM_TRY(w.add_bool("tokenizer.ggml.add_space_prefix", v.add_space_prefix));
  return Status::ok();
}

Status add_view_tensor(GgufWriter& w, const char* name, const TensorView& view, bool one_d) {
  RINGLM_CHECK(!one_d || view.rows == 1, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%s' has %lld rows, expected 1", name,
               static_cast<long long>(view.rows));
  const int64_t dims[2] = {view.cols, view.rows};
  return w.add_tensor(name, view.dtype, Span<const int64_t>(dims, one_d ? 1 : 2), view.data, view.bytes());
}

}  // namespace ringlm
