#include "models/model_fingerprint.h"

#include <cstdio>

#include "core/hash64.h"
#include "models/model.h"

namespace ringlm {

namespace {

void add_tensor(Hash64& h, const char* role, const TensorView& t) {
  h.add_string(role);
  if (t.data == nullptr) {  // an optional tensor this model lacks
    h.add_u64(0);
    return;
  }
  h.add_u64(static_cast<uint64_t>(t.dtype));
  h.add_u64(static_cast<uint64_t>(t.rows));
  h.add_u64(static_cast<uint64_t>(t.cols));
  h.add(t.data, t.bytes());
}

}  // namespace

uint64_t compute_weights_fingerprint(const Model& m) {
  Hash64 h;
  const ModelConfig& c = m.config;
  for (int64_t v : {int64_t{c.n_layer}, int64_t{c.n_embd}, int64_t{c.n_head}, int64_t{c.n_head_kv},
                    int64_t{c.head_dim}, int64_t{c.n_ff}, int64_t{c.n_vocab}}) {
    h.add_u64(static_cast<uint64_t>(v));
  }
  h.add(&c.rope_base, sizeof c.rope_base);
  h.add(&c.norm_eps, sizeof c.norm_eps);
  const ModelWeights& w = m.weights;
  add_tensor(h, "token_embd", w.tok_embd);
  add_tensor(h, "output_norm", w.output_norm);
  if (w.output.data == w.tok_embd.data) {
    h.add_string("output=token_embd");  // tied
  } else {
    add_tensor(h, "output", w.output);
  }
  char role[48];
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& l = w.layers[i];
    const struct {
      const char* name;
      const TensorView* t;
    } parts[] = {{"attn_norm", &l.attn_norm}, {"attn_q", &l.wq},      {"attn_k", &l.wk},     {"attn_v", &l.wv},
                 {"attn_q.bias", &l.bq},      {"attn_k.bias", &l.bk}, {"attn_v.bias", &l.bv}, {"attn_output", &l.wo},
                 {"ffn_norm", &l.ffn_norm},   {"ffn_gate", &l.w_gate}, {"ffn_up", &l.w_up},   {"ffn_down", &l.w_down}};
    for (const auto& part : parts) {
      std::snprintf(role, sizeof role, "blk.%zu.%s", i, part.name);
      add_tensor(h, role, *part.t);
    }
  }
  return h.value();
}

}  // namespace ringlm
