// ringlm bench --kernels: matvec throughput per weight type (tools/bench_kernels.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace ringlm {
struct Model;
}

namespace ringlm_cli {

// Prints the table (one row per type, matrix and thread count); returns the process exit code.
int bench_kernels(int reps, const std::vector<uint64_t>& threads);
// With a model: one matvec over every layer matrix and the output matrix in turn (a decode
// step's weight reads without the rest of the step), per thread count.
int bench_model_matvecs(const ringlm::Model& m, int reps, const std::vector<uint64_t>& threads);

}  // namespace ringlm_cli
