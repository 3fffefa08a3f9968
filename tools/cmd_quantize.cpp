// `ringlm quantize IN.gguf OUT.gguf TYPE`: re-types a GGUF model's weight matrices
// (devtools/convert/quantize_model.h; the fallback rule in weight_types.h).
#include <cstdio>
#include <map>
#include <string>

#include "commands.h"
#include "devtools/devtools.h"
#include "progress.h"
#include "ringlm.h"

namespace ringlm_cli {

int cmd_quantize(int argc, char** argv) {
  if (argc != 5 || argv[2][0] == '-' || argv[3][0] == '-') {
    std::fprintf(stderr,
                 "usage: ringlm quantize IN.gguf OUT.gguf TYPE   (TYPE: %s)\n"
                 "2-D weight matrices get TYPE when their rows are whole blocks of it; else q4_k falls back to\n"
                 "q4_0, q6_k to q8_0, and a matrix that fits neither keeps its type. Norms and biases stay f32.\n",
                 ringlm_devtools::weight_type_names());
    return 2;
  }
  const std::string in_path = argv[2], out_path = argv[3], type_name = argv[4];
  if (!ringlm_devtools::is_weight_type(type_name)) {
    std::fprintf(stderr, "ringlm quantize: unknown type '%s' (expected one of %s)\n", type_name.c_str(),
                 ringlm_devtools::weight_type_names());
    return 2;
  }
  ProgressBar bar("quantize");
  ringlm_devtools::QuantizePlan plan;
  auto on_plan = [&](const ringlm_devtools::QuantizePlan& p) {
    plan = p;
    // Say which matrices did not get the requested type, and why.
    for (const ringlm_devtools::QuantizePlan::Fallback& f : p.fallbacks) {
      std::fprintf(stderr, "note: %s: row length %lld is not a multiple of the %s block (%zu) -> %s\n",
                   f.tensor.c_str(), static_cast<long long>(f.row_length), type_name.c_str(),
                   ringlm_devtools::weight_type_block(type_name), f.to.c_str());
    }
  };
  const ringlm_devtools::Error e = ringlm_devtools::quantize_file(
      in_path, out_path, type_name, on_plan,
      [&](size_t done, size_t n, uint64_t b, uint64_t total) { bar.update(done, n, b, total); });
  if (!e.ok()) {
    std::fprintf(stderr, "ringlm quantize: %s (%s)\n", e.message.c_str(), ringlm_status_string(e.status));
    return 1;
  }
  std::string matrices;
  for (const auto& kv : plan.matrices_by_type) {
    matrices += (matrices.empty() ? "" : ", ") + std::to_string(kv.second) + " " + kv.first;
  }
  std::printf("%s -> %s (%s): %.2f MiB -> %.2f MiB in %.1f s; matrices: %s\n", in_path.c_str(), out_path.c_str(),
              type_name.c_str(), mib(plan.bytes_in), mib(plan.bytes_out), bar.seconds(), matrices.c_str());
  return 0;
}

}  // namespace ringlm_cli
