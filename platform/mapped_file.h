// MappedFile: a whole file as read-only bytes, memory-mapped so weights are never copied.
//
// The mapping is private and read-only; pages are loaded by the OS on first touch and shared
// between processes that map the same model. LoadMode::kRead reads the file into private memory
// instead (PageMemory: huge pages requested where the OS has them): it costs a copy and load
// time, and keeps the weights out of the page cache's hands, which on some virtual machines
// streams a multi-GB mapping at a fraction of memory speed now and then (docs/benchmarks.md).
// Where mmap is unavailable the file is always read. A file may have at most PTRDIFF_MAX bytes
// (2 GiB - 1 on 32-bit targets, which are built with a 64-bit off_t so that larger files are
// measured, then refused).
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/page_memory.h"
#include "core/span.h"
#include "core/status.h"

namespace ringlm {

enum class LoadMode { kMap, kRead };

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();

  // RINGLM_ERR_FILE_NOT_FOUND if the path does not exist, RINGLM_ERR_OUT_OF_MEMORY if it is too
  // large for this target's address space, RINGLM_ERR_IO on any other failure, a FIFO, device or
  // folder included (refused without blocking: platform/regular_file.h).
  static Result<MappedFile> open(const char* path, LoadMode mode = LoadMode::kMap);

  Span<const uint8_t> bytes() const { return Span<const uint8_t>(data_, size_); }
  size_t size() const { return size_; }

 private:
  void release();

  const uint8_t* data_ = nullptr;  // the file mapping, or copy_'s bytes
  size_t size_ = 0;
  bool mapped_ = false;  // data_ is a mapping of the file
  PageMemory copy_;      // the file's bytes when read instead of mapped
};

}  // namespace ringlm
