// Whole reads and writes on a file descriptor (short transfers and EINTR retried), and the
// close-on-exec flag where the C library has one.
#pragma once

#include <cstddef>

#include <fcntl.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0  // C libraries without exec (newlib): no descriptor to keep from a child
#endif

namespace ringlm {

// False when the descriptor failed or ended first; errno then tells why (0 at end of file).
bool read_all(int fd, void* data, size_t bytes);
bool write_all(int fd, const void* data, size_t bytes);

}  // namespace ringlm
