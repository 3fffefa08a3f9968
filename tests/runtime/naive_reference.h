// A deliberately naive Llama forward pass for the KV-ring oracles: it keeps every token's raw
// (un-rotated) K and V forever and, at every step, re-rotates each visible key at the position the
// attention rule assigns it. No ring, no staging, no rotation tricks — the textbook method the
// session's O(1)-eviction ring must agree with.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/model.h"

namespace ringlm_test {

class NaiveReference {
 public:
  // Position the model sees for history token j when the query is token p; return -1 to hide it.
  using PositionRule = std::function<int64_t(int64_t j, int64_t p)>;

  NaiveReference(const ringlm::Model& model, PositionRule key_position, PositionRule query_position);
  // Appends one token and returns its logits.
  const std::vector<float>& step(int32_t token);

 private:
  void matvec(const ringlm::TensorView& w, const float* x, float* y) const;
  void rope(float* v, int32_t n_heads, int64_t pos) const;

  const ringlm::Model& model_;
  PositionRule key_position_, query_position_;
  std::vector<std::vector<float>> k_raw_, v_;  // per layer: [token][kv_dim]
  int64_t n_ = 0;
  std::vector<float> logits_;
};

}  // namespace ringlm_test
