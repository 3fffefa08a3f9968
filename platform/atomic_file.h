// AtomicFile: writes a file so that a reader finds the old bytes or the new ones, never a mix and
// never nothing. The bytes go to a temporary file beside the target ("TARGET.<pid>-<n>.part"),
// which commit() flushes to disk (fsync) and renames over the target; a write that fails or is
// never committed removes the temporary file and leaves the target as it was. A symlink at the
// path is written through (the file it names is replaced, the link kept); a folder, FIFO or
// device there is refused. No heap: the paths live in the object. Bare-metal C libraries (no
// rename or fsync) write the target in place.
#pragma once

#include <cstddef>

#include "core/status.h"

namespace ringlm {

class AtomicFile {
 public:
  static constexpr size_t kMaxPath = 1024;

  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // RINGLM_ERR_IO naming the reason (errno) when the temporary file cannot be created.
  Status open(const char* path);
  Status write(const void* data, size_t bytes);
  // Flushes, closes and renames over the target. After a failed write it reports that failure.
  Status commit();

 private:
  void discard();

  int fd_ = -1;
  int write_errno_ = 0;  // the first failed write's errno; later writes are skipped
  char target_[kMaxPath] = {};
  char temp_[kMaxPath + 32] = {};
};

}  // namespace ringlm
