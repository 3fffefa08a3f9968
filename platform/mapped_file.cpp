#include "platform/mapped_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include <unistd.h>

#include "platform/fd_io.h"
#include "platform/regular_file.h"

// Bare-metal C libraries (newlib) have no mmap: files are read into memory there.
#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#define RINGLM_HAVE_MMAP 1
#endif

namespace ringlm {

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)),
      copy_(std::move(other.copy_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
    copy_ = std::move(other.copy_);
  }
  return *this;
}

void MappedFile::release() {
#ifdef RINGLM_HAVE_MMAP
  if (mapped_) munmap(const_cast<uint8_t*>(data_), size_);
#endif
  copy_ = PageMemory();
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

MappedFile::~MappedFile() { release(); }


Result<MappedFile> MappedFile::open(const char* path, LoadMode mode) {
  Result<RegularFile> opened = open_regular_file(path);  // never blocks on a FIFO
  if (!opened.is_ok()) return opened.status();
  const int fd = opened.value().fd;
  const uint64_t size = opened.value().size;
  // One object of more than PTRDIFF_MAX bytes cannot be indexed safely: on 32-bit targets that
  // refuses files of 2 GiB and more here, instead of a size_t that wraps and maps a prefix.
  if (size > static_cast<uint64_t>(PTRDIFF_MAX)) {
    ::close(fd);
    return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "'%s' is %llu bytes, more than a %d-bit build can map (%llu at most)",
                         path, static_cast<unsigned long long>(size), static_cast<int>(sizeof(void*) * 8),
                         static_cast<unsigned long long>(PTRDIFF_MAX));
  }
  MappedFile file;
  file.size_ = static_cast<size_t>(size);
  if (file.size_ == 0) {
    ::close(fd);
    return file;
  }
  (void)mode;  // without mmap every file is read
#ifdef RINGLM_HAVE_MMAP
  if (mode == LoadMode::kMap) {
    void* p = mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      file.data_ = static_cast<const uint8_t*>(p);
      file.mapped_ = true;
      ::close(fd);
      return file;
    }
  }
#endif
  // Read mode, or no mmap (bare metal, some filesystems): the bytes are read into private pages.
  file.copy_ = PageMemory::allocate(file.size_);
  if (file.copy_.data() == nullptr) {
    ::close(fd);
    return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes to read '%s'", file.size_, path);
  }
  const bool read = read_all(fd, file.copy_.data(), file.size_);
  const int err = errno;
  ::close(fd);
  if (!read) {
    return Status::error(RINGLM_ERR_IO, "cannot read '%s': %s", path, err != 0 ? std::strerror(err) : "the file ended early");
  }
  file.copy_.protect_read_only();
  file.data_ = file.copy_.data();
  return file;
}

}  // namespace ringlm
