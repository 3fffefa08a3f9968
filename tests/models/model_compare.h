// Helpers for tests that compare models written by the converters: load from bytes or a path,
// teacher-forced logits, greedy generation through the C API.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "models/model_loader.h"
#include "ringlm.h"
#include "runtime/session.h"

namespace ringlm_test {

inline std::unique_ptr<ringlm::Model> load_ok(ringlm::Result<std::unique_ptr<ringlm::Model>> r) {
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return std::move(r.value());
}

// Logits after each token of `ids`, fed one at a time (teacher forcing): row i follows ids[0..i].
inline std::vector<std::vector<float>> teacher_forced_logits(const ringlm::Model& m, const std::vector<int32_t>& ids) {
  ringlm::SessionConfig want;
  want.n_ctx = static_cast<uint32_t>(ids.size());
  ringlm::Result<ringlm::SessionConfig> cfg = ringlm::Session::resolve(m, want);
  REQUIRE_MESSAGE(cfg.is_ok(), cfg.status().message());
  ringlm::Result<ringlm::Session*> s = ringlm::Session::create(m, cfg.value(), nullptr, 0);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  std::vector<std::vector<float>> rows;
  for (int32_t id : ids) {
    const ringlm::Status st = s.value()->prefill(&id, 1);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    rows.emplace_back(s.value()->logits(), s.value()->logits() + m.config.n_vocab);
  }
  s.value()->destroy();
  return rows;
}

// max over steps of max_i |a_i - b_i| / max_i |a_i|: the error relative to the logit scale.
inline double max_relative_logit_error(const std::vector<std::vector<float>>& ref,
                                       const std::vector<std::vector<float>>& got) {
  REQUIRE(ref.size() == got.size());
  double worst = 0.0;
  for (size_t t = 0; t < ref.size(); ++t) {
    REQUIRE(ref[t].size() == got[t].size());
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < ref[t].size(); ++i) {
      diff = std::max(diff, std::fabs(static_cast<double>(ref[t][i]) - got[t][i]));
      scale = std::max(scale, std::fabs(static_cast<double>(ref[t][i])));
    }
    worst = std::max(worst, diff / scale);
  }
  return worst;
}

// Greedy generation through the C API from BOS + prompt; the generated ids (prompt excluded).
inline std::vector<int32_t> greedy_ids(const std::string& model_path, const char* prompt, size_t n_generate,
                                       std::string* text = nullptr) {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model_path.c_str();
  ringlm_model* model = nullptr;
  REQUIRE_MESSAGE(ringlm_model_open(&mp, &model) == RINGLM_OK, ringlm_last_error_message());
  int32_t tokens[64];
  size_t n = 0;
  REQUIRE(ringlm_tokenize(model, prompt, std::char_traits<char>::length(prompt), true, tokens, 64, &n) == RINGLM_OK);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.0f;
  ringlm_session* s = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
  struct Out {
    std::vector<int32_t> ids;
    std::string text;
  } out;
  auto collect = [](void* user, int32_t token, const char* piece, size_t len) {
    auto* o = static_cast<Out*>(user);
    o->ids.push_back(token);
    o->text.append(piece, len);
    return true;
  };
  size_t generated = 0;
  CHECK(ringlm_session_generate(s, tokens, n, n_generate, collect, &out, &generated) == RINGLM_OK);
  ringlm_session_free(s);
  ringlm_model_free(model);
  if (text != nullptr) *text = std::string(prompt) + out.text;
  return out.ids;
}

}  // namespace ringlm_test
