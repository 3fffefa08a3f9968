// ringlm bench --kernels: matvec throughput per weight type (tools/bench_kernels.cpp).
#pragma once

namespace ringlm_cli {

// Prints the table; returns the process exit code.
int bench_kernels(int reps);

}  // namespace ringlm_cli
