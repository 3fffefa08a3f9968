#include "platform/page_memory.h"

#include <cstdlib>
#include <utility>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#define RINGLM_HAVE_MMAP 1
#endif

namespace ringlm {

PageMemory::PageMemory(PageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

PageMemory& PageMemory::operator=(PageMemory&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
  }
  return *this;
}

PageMemory PageMemory::allocate(size_t bytes) {
  PageMemory m;
  if (bytes == 0) return m;
#ifdef RINGLM_HAVE_MMAP
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes, MADV_HUGEPAGE);  // advice only: without huge pages the block still works
#endif
    m.data_ = static_cast<uint8_t*>(p);
    m.size_ = bytes;
    m.mapped_ = true;
    return m;
  }
#endif
  m.data_ = static_cast<uint8_t*>(std::calloc(bytes, 1));
  m.size_ = m.data_ != nullptr ? bytes : 0;
  return m;
}

void PageMemory::protect_read_only() {
#ifdef RINGLM_HAVE_MMAP
  if (mapped_) (void)mprotect(data_, size_, PROT_READ);
#endif
}

void PageMemory::release() {
  if (mapped_) {
#ifdef RINGLM_HAVE_MMAP
    munmap(data_, size_);
#endif
  } else {
    std::free(data_);  // null for an empty block: nothing to free
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

}  // namespace ringlm
