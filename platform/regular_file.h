// Opening files by path without blocking on what is not a regular file. open() of a FIFO blocks
// until a writer comes (forever, for a model path given by mistake), so every input is opened with
// O_NONBLOCK, checked with fstat, and handed on only if it is a regular file, back in blocking
// mode. Outputs: what already exists at an output path and is not a regular file (a device, a
// FIFO, a folder) is refused before anything is written, and a symlink is followed to the file it
// names, so that a write-then-rename replaces that file and keeps the link. Bare-metal targets
// (no FIFOs, no symlinks) open and check only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/status.h"

namespace ringlm {

struct RegularFile {
  int fd = -1;        // open for reading, blocking, close-on-exec; the caller closes it
  uint64_t size = 0;  // bytes, from fstat
};

// RINGLM_ERR_FILE_NOT_FOUND if nothing is at `path`, RINGLM_ERR_IO if it cannot be opened or is
// not a regular file (the message says what it is: "'p' is a FIFO, not a regular file").
Result<RegularFile> open_regular_file(const char* path);

// The path an output written to `path` should go to: `path` itself when nothing is there yet or a
// regular file is, the file a symlink chain ends at (relative links read from the link's folder;
// a dangling link gives its target), RINGLM_ERR_IO when what is there is not a regular file.
Result<std::string> resolve_output_path(const std::string& path);

// Creates `path` (or empties the regular file there) and opens it for writing ("wb", close-on-
// exec); RINGLM_ERR_IO ("cannot create ...") if that fails, `path` is a symlink, or it is not a
// regular file. Never blocks on a FIFO. The caller fcloses the stream.
Result<std::FILE*> create_regular_file(const std::string& path);

}  // namespace ringlm
