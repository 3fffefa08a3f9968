#include "models/model.h"

namespace ringlm {

Status ModelConfig::validate() const {
  RINGLM_CHECK(n_vocab > 0 && n_embd > 0 && n_layer > 0 && n_head > 0 && n_head_kv > 0 && head_dim > 0 && n_ff > 0 &&
                   n_ctx_train > 0,
               RINGLM_ERR_BAD_DIMENSIONS,
               "model dimensions must be positive (vocab %d, embd %d, layers %d, heads %d, kv heads %d, head dim %d, "
               "ffn %d, context %d)",
               n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx_train);
  RINGLM_CHECK(n_head % n_head_kv == 0, RINGLM_ERR_BAD_DIMENSIONS,
               "%d query heads are not a multiple of %d key/value heads", n_head, n_head_kv);
  RINGLM_CHECK(head_dim % 2 == 0, RINGLM_ERR_BAD_DIMENSIONS, "head dimension %d is odd; RoPE needs pairs", head_dim);
  RINGLM_CHECK(norm_eps > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "norm epsilon must be positive");
  RINGLM_CHECK(rope_base > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "RoPE base must be positive");
  RINGLM_CHECK(rope_freq_scale > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "RoPE frequency scale must be positive");
  RINGLM_CHECK(sliding_window >= 0, RINGLM_ERR_BAD_DIMENSIONS, "negative sliding window");
  return Status::ok();
}

}  // namespace ringlm
