#include "naive_reference.h"

#include <cmath>

#include "simd/quant/dequantize.h"

namespace ringlm_test {

using ringlm::Model;
using ringlm::TensorView;

NaiveReference::NaiveReference(const Model& model, PositionRule key_position, PositionRule query_position)
    : model_(model), key_position_(std::move(key_position)), query_position_(std::move(query_position)) {
  k_raw_.resize(static_cast<size_t>(model.config.n_layer));
  v_.resize(static_cast<size_t>(model.config.n_layer));
}

void NaiveReference::matvec(const TensorView& w, const float* x, float* y) const {
  std::vector<float> row(static_cast<size_t>(w.cols));
  for (int64_t r = 0; r < w.rows; ++r) {
    ringlm::dequantize_row(w.dtype, w.row(r), row.data(), w.cols);
    double sum = 0;
    for (int64_t i = 0; i < w.cols; ++i) sum += static_cast<double>(row[static_cast<size_t>(i)]) * x[i];
    y[r] = static_cast<float>(sum);
  }
}

void NaiveReference::rope(float* v, int32_t n_heads, int64_t pos) const {
  const ringlm::ModelConfig& c = model_.config;
  const int32_t half = c.head_dim / 2;
  for (int32_t h = 0; h < n_heads; ++h) {
    for (int32_t j = 0; j < half; ++j) {
      const double inv_freq = static_cast<float>(1.0 / std::pow(static_cast<double>(c.rope_base), 2.0 * j / c.head_dim));
      const double angle = static_cast<double>(pos) * inv_freq;
      const bool pairs = c.rope_style == ringlm::RopeStyle::kAdjacentPairs;
      float* a = v + h * c.head_dim + (pairs ? 2 * j : j);
      float* b = v + h * c.head_dim + (pairs ? 2 * j + 1 : j + half);
      const double x = *a, y = *b;
      *a = static_cast<float>(x * std::cos(angle) - y * std::sin(angle));
      *b = static_cast<float>(x * std::sin(angle) + y * std::cos(angle));
    }
  }
}

namespace {
void rmsnorm(const float* x, const float* w, float* out, int32_t n, float eps) {
  double ss = 0;
  for (int32_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const double scale = 1.0 / std::sqrt(ss / n + eps);
  for (int32_t i = 0; i < n; ++i) out[i] = static_cast<float>(w[i] * (scale * x[i]));
}
}  // namespace

const std::vector<float>& NaiveReference::step(int32_t token) {
  const ringlm::ModelConfig& c = model_.config;
  const ringlm::ModelWeights& w = model_.weights;
  const int32_t dim = c.n_embd, q_dim = c.q_dim(), kv_dim = c.kv_dim(), hd = c.head_dim;
  const int64_t p = n_++;
  std::vector<float> x(static_cast<size_t>(dim)), xn(static_cast<size_t>(dim)), q(static_cast<size_t>(q_dim));
  std::vector<float> k(static_cast<size_t>(kv_dim)), v(static_cast<size_t>(kv_dim)), att(static_cast<size_t>(q_dim));
  std::vector<float> proj(static_cast<size_t>(dim)), gate(static_cast<size_t>(c.n_ff)), up(static_cast<size_t>(c.n_ff));
  ringlm::dequantize_row(w.tok_embd.dtype, w.tok_embd.row(token), x.data(), dim);

  for (int32_t l = 0; l < c.n_layer; ++l) {
    const ringlm::LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    rmsnorm(x.data(), lw.attn_norm.f32(), xn.data(), dim, c.norm_eps);
    matvec(lw.wq, xn.data(), q.data());
    matvec(lw.wk, xn.data(), k.data());
    matvec(lw.wv, xn.data(), v.data());
    auto& ks = k_raw_[static_cast<size_t>(l)];
    auto& vs = v_[static_cast<size_t>(l)];
    ks.insert(ks.end(), k.begin(), k.end());
    vs.insert(vs.end(), v.begin(), v.end());

    std::vector<float> qr = q;
    rope(qr.data(), c.n_head, query_position_(p, p));
    for (int32_t h = 0; h < c.n_head; ++h) {
      const int32_t kvh = h / (c.n_head / c.n_head_kv);
      std::vector<double> scores;
      std::vector<int64_t> js;
      for (int64_t j = 0; j <= p; ++j) {
        const int64_t kp = key_position_(j, p);
        if (kp < 0) continue;
        std::vector<float> kr(ks.begin() + j * kv_dim, ks.begin() + (j + 1) * kv_dim);
        rope(kr.data(), c.n_head_kv, kp);  // re-rotated at every step: the naive way
        double dot = 0;
        for (int32_t i = 0; i < hd; ++i) dot += static_cast<double>(qr[static_cast<size_t>(h * hd + i)]) * kr[static_cast<size_t>(kvh * hd + i)];
        scores.push_back(dot / std::sqrt(static_cast<double>(hd)));
        js.push_back(j);
      }
      double mx = scores[0];
      for (double s : scores) mx = std::max(mx, s);
      double sum = 0;
      for (double& s : scores) sum += (s = std::exp(s - mx));
      for (int32_t i = 0; i < hd; ++i) {
        double o = 0;
        for (size_t n = 0; n < js.size(); ++n) o += scores[n] / sum * vs[static_cast<size_t>(js[n] * kv_dim + kvh * hd + i)];
        att[static_cast<size_t>(h * hd + i)] = static_cast<float>(o);
      }
    }
    matvec(lw.wo, att.data(), proj.data());
    for (int32_t i = 0; i < dim; ++i) x[static_cast<size_t>(i)] += proj[static_cast<size_t>(i)];
    rmsnorm(x.data(), lw.ffn_norm.f32(), xn.data(), dim, c.norm_eps);
    matvec(lw.w_gate, xn.data(), gate.data());
    matvec(lw.w_up, xn.data(), up.data());
    for (int32_t i = 0; i < c.n_ff; ++i) {
      const float g = gate[static_cast<size_t>(i)];
      gate[static_cast<size_t>(i)] = g / (1.0f + std::exp(-g)) * up[static_cast<size_t>(i)];
    }
    matvec(lw.w_down, gate.data(), proj.data());
    for (int32_t i = 0; i < dim; ++i) x[static_cast<size_t>(i)] += proj[static_cast<size_t>(i)];
  }
  rmsnorm(x.data(), w.output_norm.f32(), xn.data(), dim, c.norm_eps);
  logits_.assign(static_cast<size_t>(c.n_vocab), 0.0f);
  matvec(w.output, xn.data(), logits_.data());
  return logits_;
}

}  // namespace ringlm_test
