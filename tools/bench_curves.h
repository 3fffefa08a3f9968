// The curves `ringlm bench` draws besides its throughput table: decode cost with and without the
// KV cache as the context grows (--cache-table), and a streaming session's speed and memory as it
// runs on (--window). Each prints a markdown table and adds its charts for --plot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringlm.h"
#include "svg_plot.h"

namespace ringlm_cli {

// Timed decode steps per point of the cache curve, per repetition; each point is their median.
constexpr uint32_t kCacheCurveSteps = 32;

struct CurveSettings {
  uint32_t reps = 5;
  uint32_t n_threads = 1;
  ringlm_kv_type kv_type = RINGLM_KV_F32;
  std::string kv_name = "f32";
};

// Milliseconds per decode step at contexts 16, 32, 64, ... up to the model's context, with the
// cache and in recompute mode; says where and why it stops. False on a library error.
bool cache_curve(ringlm_model* model, const ringlm_model_info& info, const CurveSettings& s,
                 std::vector<PlotChart>* charts);

// Decode tok/s, arena bytes and resident memory of a streaming session (params `sp`) after each
// of `depths` tokens, `steps` timed steps per repetition. False on a library error.
bool streaming_curve(ringlm_model* model, const ringlm_model_info& info, ringlm_session_params sp,
                     const CurveSettings& s, const std::vector<uint64_t>& depths, uint32_t steps,
                     std::vector<PlotChart>* charts);

}  // namespace ringlm_cli
