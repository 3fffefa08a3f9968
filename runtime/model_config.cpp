#include "runtime/model_config.h"

#include <cinttypes>

namespace ringlm {

Status ModelConfig::validate() const {
  RINGLM_CHECK(n_vocab > 0 && n_embd > 0 && n_layer > 0 && n_head > 0 && n_head_kv > 0 && head_dim > 0 && n_ff > 0 &&
                   n_ctx_train > 0,
               RINGLM_ERR_BAD_DIMENSIONS,
               "model dimensions must be positive (vocab %" PRId32 ", embd %" PRId32 ", layers %" PRId32
               ", heads %" PRId32 ", kv heads %" PRId32 ", head dim %" PRId32 ", ffn %" PRId32 ", context %" PRId32 ")",
               n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx_train);
  RINGLM_CHECK(n_head % n_head_kv == 0, RINGLM_ERR_BAD_DIMENSIONS,
               "%" PRId32 " query heads are not a multiple of %" PRId32 " key/value heads", n_head, n_head_kv);
  RINGLM_CHECK(head_dim % 2 == 0, RINGLM_ERR_BAD_DIMENSIONS, "head dimension %" PRId32 " is odd; RoPE needs pairs",
               head_dim);
  RINGLM_CHECK(norm_eps > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "norm epsilon must be positive");
  RINGLM_CHECK(rope_base > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "RoPE base must be positive");
  RINGLM_CHECK(rope_freq_scale > 0.0f, RINGLM_ERR_BAD_DIMENSIONS, "RoPE frequency scale must be positive");
  RINGLM_CHECK(sliding_window >= 0, RINGLM_ERR_BAD_DIMENSIONS, "negative sliding window");
  return Status::ok();
}

}  // namespace ringlm
