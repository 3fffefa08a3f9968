// attend() serves the query heads of a GQA group together, block by block over the cached rows.
// Per head it must compute exactly what one kernel call over all rows computes: checked bit for
// bit against that per-head formulation, for every KV dtype, head ranges that split a group,
// windows that mask slots and streaming sink queries.
#include "runtime/attention.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace ringlm;

namespace {

bool visible_ref(int64_t pk, int64_t p, const AttentionWindow& w) {
  return pk >= 0 && pk <= p && (pk < w.n_sinks || p - pk < w.window);
}

// One head at a time, every cached row in one dot_rows / axpy_rows call.
void attend_per_head(const Kernels& k, const KvCache& cache, int32_t layer, const StagedKv& staged,
                     const AttentionWindow& win, const float* q_abs, const float* q_sink, int64_t pos, int32_t n_head,
                     int32_t n_head_kv, float* out) {
  const size_t hd = static_cast<size_t>(cache.head_dim()), kv_dim = static_cast<size_t>(n_head_kv) * hd;
  const float f = 1.0f / std::sqrt(static_cast<float>(hd));
  const uint32_t n_slots = cache.slots_in_use();
  const int32_t n_staged = static_cast<int32_t>(pos - staged.start_pos + 1);
  std::vector<float> sc(n_slots + static_cast<size_t>(n_staged));
  for (int32_t h = 0; h < n_head; ++h) {
    const int32_t kvh = h / (n_head / n_head_kv);
    const float* qa = q_abs + h * hd;
    const float* qs = q_sink + h * hd;
    const KvRows keys = cache.key_rows(layer, kvh);
    k.dot_rows(keys, qa, n_slots, hd, f, sc.data());
    for (uint32_t s = 0; s < n_slots; ++s) {
      const int64_t pk = cache.positions()[s];
      if (!visible_ref(pk, pos, win)) sc[s] = -INFINITY;
      else if (win.sink_query && pk < win.n_sinks && qs != qa) k.dot_rows(keys.from(s), qs, 1, hd, f, &sc[s]);
    }
    float* ss = sc.data() + n_slots;
    const KvRows staged_keys{staged.k + kvh * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    k.dot_rows(staged_keys, qa, static_cast<size_t>(n_staged), hd, f, ss);
    for (int32_t j = 0; j < n_staged; ++j) {
      const int64_t pk = staged.start_pos + j;
      if (!visible_ref(pk, pos, win)) ss[j] = -INFINITY;
      else if (win.sink_query && pk < win.n_sinks && qs != qa) ss[j] = k.dot(qs, staged.k + j * kv_dim + kvh * hd, hd) * f;
    }
    k.softmax(sc.data(), sc.size());
    float* o = out + h * hd;
    std::memset(o, 0, hd * sizeof(float));
    k.axpy_rows(cache.value_rows(layer, kvh), sc.data(), n_slots, hd, o);
    const KvRows staged_values{staged.v + kvh * hd, kv_dim, KvRowType::kF32, nullptr, 0};
    k.axpy_rows(staged_values, ss, static_cast<size_t>(n_staged), hd, o);
  }
}

}  // namespace

TEST_CASE("attention: GQA groups served block by block equal one call per head, bit for bit") {
  const Kernels& k = active_kernels();
  const int32_t n_head = 8, n_head_kv = 2, hd = 64, n_layer = 2;
  const size_t kv_dim = static_cast<size_t>(n_head_kv) * hd, q_dim = static_cast<size_t>(n_head) * hd;
  std::mt19937 rng(21);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (KvType type : {KvType::kF32, KvType::kBF16, KvType::kInt8}) {
    CAPTURE(kv_type_name(type));
    KvCache::Shape shape;
    shape.n_layer = n_layer;
    shape.n_head_kv = n_head_kv;
    shape.head_dim = hd;
    shape.n_sinks = 4;
    shape.n_window = 100;  // 104 slots: three whole blocks of kRowBlock and a partial one
    shape.type = type;
    Arena measure = Arena::measure();
    KvCache sizing;
    REQUIRE(sizing.layout(measure, shape));
    std::vector<uint8_t> mem(measure.used() + Arena::kAlignment);
    Arena arena(mem.data(), mem.size());
    KvCache cache;
    REQUIRE(cache.layout(arena, shape));
    cache.reset();
    // 150 tokens through the ring: it wraps, so slot order differs from position order.
    const int64_t n_cached = 150;
    std::vector<float> kr(kv_dim), vr(kv_dim);
    for (int64_t t = 0; t < n_cached; ++t) {
      for (int32_t l = 0; l < n_layer; ++l) {
        for (float& x : kr) x = nd(rng);
        for (float& x : vr) x = nd(rng);
        cache.store(l, cache.slot_for(t), kr.data(), vr.data());
      }
      cache.commit(cache.slot_for(t), t);
    }
    // Staged tokens after the cache (a decode step), and a chunk that starts at position 2: its
    // first two tokens are sinks, seen by its last query (position 61) through the sink query.
    const int32_t max_staged = 60;
    std::vector<float> sk(max_staged * kv_dim), sv(max_staged * kv_dim), qa(q_dim), qs(q_dim);
    for (float& x : sk) x = nd(rng);
    for (float& x : sv) x = nd(rng);
    for (float& x : qa) x = nd(rng);
    for (float& x : qs) x = nd(rng);
    for (auto [start, n_staged] : {std::pair<int64_t, int32_t>{n_cached, 3}, {2, max_staged}}) {
      CAPTURE(start);
      StagedKv staged{sk.data(), sv.data(), start, n_staged};
      const int64_t pos = start + n_staged - 2;  // sees all but the last staged token

      AttentionWindow plain;
      AttentionWindow narrow;  // masks slots on both sides of the ring's seam
      narrow.n_sinks = 4;
      narrow.window = 50;
      AttentionWindow streaming = narrow;
      streaming.sink_query = true;
      for (const AttentionWindow* win : {&plain, &narrow, &streaming}) {
        const float* q_sink = win->sink_query ? qs.data() : qa.data();
        std::vector<float> want(q_dim);
        attend_per_head(k, cache, 1, staged, *win, qa.data(), q_sink, pos, n_head, n_head_kv, want.data());
        const size_t stride = (cache.slots_in_use() + n_staged + 15) & ~size_t(15);
        std::vector<float> scores(stride * (n_head / n_head_kv));
        // Whole range, and ranges that start and end inside a group (threads split heads so).
        for (auto range : {std::pair<int32_t, int32_t>{0, 8}, {1, 6}, {3, 5}, {6, 8}}) {
          CAPTURE(range.first);
          CAPTURE(range.second);
          std::vector<float> got(q_dim, NAN);
          attend(k, cache, 1, staged, *win, qa.data(), q_sink, pos, n_head, n_head_kv, range.first, range.second,
                 scores.data(), stride, got.data());
          for (size_t i = static_cast<size_t>(range.first) * hd; i < static_cast<size_t>(range.second) * hd; ++i) {
            REQUIRE(std::memcmp(&got[i], &want[i], sizeof(float)) == 0);
          }
          for (size_t i = 0; i < static_cast<size_t>(range.first) * hd; ++i) REQUIRE(std::isnan(got[i]));  // untouched
        }
      }
    }
  }
}
