#include "core/status.h"

#include <cstdio>

namespace ringlm {

Status Status::error(ringlm_status code, const char* fmt, ...) {
  Status s;
  s.code_ = code == RINGLM_OK ? static_cast<ringlm_status>(RINGLM_ERR_INTERNAL) : code;
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(s.message_, kMessageCapacity, fmt, args);
  va_end(args);
  return s;
}

}  // namespace ringlm
