// PageMemory: a private, zero-filled block of anonymous pages, with huge pages requested where the
// OS has them (Linux transparent huge pages in "madvise" mode give them only on request).
//
// Streams of weights read every token run at memory speed from such pages; the model read into
// memory (LoadMode::kRead) and the bandwidth probe that rates it both live in one, so a decode
// roofline compares like with like. Without mmap (bare-metal C libraries) it is a heap block.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

class PageMemory {
 public:
  PageMemory() = default;
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;
  PageMemory(PageMemory&& other) noexcept;
  PageMemory& operator=(PageMemory&& other) noexcept;
  ~PageMemory() { release(); }

  // `bytes` > 0; an empty block (data() == nullptr) when the memory cannot be had.
  static PageMemory allocate(size_t bytes);
  // Makes the block read-only (best effort: a heap block stays writable).
  void protect_read_only();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;  // false: a heap block
};

}  // namespace ringlm
