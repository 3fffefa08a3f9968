// ringlm bench --kernels: matvec throughput per weight type (tools/bench_kernels.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace ringlm_cli {

// Prints the table (one row per type, matrix and thread count); returns the process exit code.
int bench_kernels(int reps, const std::vector<uint64_t>& threads);

}  // namespace ringlm_cli
