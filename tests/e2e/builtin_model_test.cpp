// The built-in model (tools/builtin/, compiled into the CLI) against its PyTorch reference
// (tools/train/golden.py): the prompts' token ids, the greedy continuations and the perplexity of
// the held-back text must come out of ringlm as they came out of the training code.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "devtools/devtools.h"
#include "ringlm.h"
#include "tools/builtin_model.h"

namespace {

std::string read_text(const std::string& path) {
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buf[4096];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, got);
  std::fclose(f);
  return text;
}

std::vector<int32_t> parse_ids(const std::string& field) {
  std::vector<int32_t> ids;
  std::istringstream in(field);
  int32_t id = 0;
  while (in >> id) ids.push_back(id);
  return ids;
}

struct Golden {
  struct Prompt {
    std::string text;
    std::vector<int32_t> prompt_ids, generated;
  };
  std::vector<Prompt> prompts;
  uint32_t chunk = 0;
  double perplexity = 0;
};

Golden read_golden() {
  Golden g;
  std::istringstream lines(read_text(RINGLM_SOURCE_DIR "/tools/builtin/golden.tsv"));
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream cols(line);
    std::string col;
    while (std::getline(cols, col, '\t')) f.push_back(col);
    if (f.size() == 3 && f[0] == "#perplexity") {
      g.chunk = static_cast<uint32_t>(std::stoul(f[1]));
      g.perplexity = std::stod(f[2]);
    } else if (f.size() == 3) {
      g.prompts.push_back({f[0], parse_ids(f[1]), parse_ids(f[2])});
    }
  }
  return g;
}

ringlm_model* open_builtin() {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.data = ringlm_builtin_model;
  mp.data_size = ringlm_builtin_model_size;
  ringlm_model* model = nullptr;
  REQUIRE(ringlm_model_open(&mp, &model) == RINGLM_OK);
  return model;
}

bool collect(void* user, int32_t token, const char*, size_t) {
  static_cast<std::vector<int32_t>*>(user)->push_back(token);
  return true;
}

}  // namespace

TEST_CASE("built-in model: tokens and greedy text equal the PyTorch reference") {
  const Golden golden = read_golden();
  REQUIRE(golden.prompts.size() >= 3);
  ringlm_model* model = open_builtin();
  for (const Golden::Prompt& p : golden.prompts) {
    CAPTURE(p.text);
    std::vector<int32_t> ids(256);
    size_t n = 0;
    REQUIRE(ringlm_tokenize(model, p.text.data(), p.text.size(), true, ids.data(), ids.size(), &n) == RINGLM_OK);
    ids.resize(n);
    CHECK(ids == p.prompt_ids);

    ringlm_session_params sp;
    ringlm_session_params_init(&sp);
    sp.temperature = 0.0f;
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &s) == RINGLM_OK);
    std::vector<int32_t> generated;
    REQUIRE(ringlm_session_generate(s, p.prompt_ids.data(), p.prompt_ids.size(), p.generated.size(), collect,
                                    &generated, nullptr) == RINGLM_OK);
    CHECK(generated == p.generated);
    ringlm_session_free(s);
  }
  ringlm_model_free(model);
}

TEST_CASE("built-in model: perplexity of the held-back text equals the PyTorch reference") {
  const Golden golden = read_golden();
  REQUIRE(golden.chunk > 0);
  ringlm_model* model = open_builtin();
  const std::string text = read_text(RINGLM_SOURCE_DIR "/tools/builtin/heldout.txt");
  REQUIRE(text.size() > 10000);
  std::vector<int32_t> tokens(text.size() + 8);
  size_t n = 0;
  REQUIRE(ringlm_tokenize(model, text.data(), text.size(), true, tokens.data(), tokens.size(), &n) == RINGLM_OK);
  tokens.resize(n);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  ringlm_devtools::PerplexityResult r;
  const ringlm_devtools::Error e = ringlm_devtools::perplexity(model, sp, tokens, golden.chunk, 0, nullptr, &r);
  REQUIRE_MESSAGE(e.ok(), e.message);
  MESSAGE("ringlm " << r.ppl << " vs PyTorch " << golden.perplexity << " over " << r.n_scored << " tokens");
  // f32 sums in another order: the two agree to far better than the model's own spread.
  CHECK(std::fabs(r.ppl - golden.perplexity) <= 1e-3 * golden.perplexity);
  // And the model learned something: far below a uniform guess over its 512 tokens.
  CHECK(r.ppl < 64.0);
  ringlm_model_free(model);
}
