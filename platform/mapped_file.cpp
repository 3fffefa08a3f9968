#include "platform/mapped_file.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Bare-metal C libraries (newlib) have no mmap: files are read into one heap block there.
#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#define RINGLM_HAVE_MMAP 1
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0  // C libraries without exec (newlib): no descriptor to keep from a child
#endif

namespace ringlm {

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

namespace {
// Reads exactly `size` bytes of fd into buf (retrying short reads and EINTR).
Status read_all(int fd, uint8_t* buf, size_t size, const char* path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buf + done, size - done);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return Status::error(RINGLM_ERR_IO, "read of '%s' failed at byte %zu of %zu", path, done, size);
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}
}  // namespace

void MappedFile::release() {
  if (data_ != nullptr) {
    if (mapped_) {
#ifdef RINGLM_HAVE_MMAP
      munmap(const_cast<uint8_t*>(data_), size_);
#endif
    } else {
      std::free(const_cast<uint8_t*>(data_));
    }
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

Result<MappedFile> MappedFile::open(const char* path, LoadMode mode) {
  if (path == nullptr || path[0] == '\0') return Status::error(RINGLM_ERR_INVALID_ARGUMENT, "no file path given");
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    ringlm_status code = (err == ENOENT || err == ENOTDIR) ? RINGLM_ERR_FILE_NOT_FOUND : RINGLM_ERR_IO;
    return Status::error(code, "cannot open '%s': %s", path, std::strerror(err));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::error(RINGLM_ERR_IO, "cannot stat '%s': %s", path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(RINGLM_ERR_IO, "'%s' is not a regular file", path);
  }
  // One object of more than PTRDIFF_MAX bytes cannot be indexed safely: on 32-bit targets that
  // refuses files of 2 GiB and more here, instead of a size_t that wraps and maps a prefix.
  if (static_cast<uint64_t>(st.st_size) > static_cast<uint64_t>(PTRDIFF_MAX)) {
    ::close(fd);
    return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "'%s' is %llu bytes, more than a %d-bit build can map (%llu at most)",
                         path, static_cast<unsigned long long>(st.st_size), static_cast<int>(sizeof(void*) * 8),
                         static_cast<unsigned long long>(PTRDIFF_MAX));
  }
  MappedFile file;
  file.size_ = static_cast<size_t>(st.st_size);
  if (file.size_ == 0) {
    ::close(fd);
    return file;
  }
#ifdef RINGLM_HAVE_MMAP
  if (mode == LoadMode::kMap) {
    void* p = mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      file.data_ = static_cast<const uint8_t*>(p);
      file.mapped_ = true;
      ::close(fd);
      return file;
    }
  } else {
    // Anonymous pages: a huge-page request covers whole 2 MiB pages of weights (fewer TLB and
    // page-table entries while streaming them each token).
    void* p = mmap(nullptr, file.size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
      (void)madvise(p, file.size_, MADV_HUGEPAGE);  // advice only: without huge pages it still works
#endif
      Status read = read_all(fd, static_cast<uint8_t*>(p), file.size_, path);
      ::close(fd);
      if (!read.is_ok()) {
        munmap(p, file.size_);
        return read;
      }
      mprotect(p, file.size_, PROT_READ);  // read-only, like the mapping
      file.data_ = static_cast<const uint8_t*>(p);
      file.mapped_ = true;
      return file;
    }
  }
#else
  (void)mode;  // no mmap: always a heap block
#endif
  // No mmap (some filesystems, or no memory for the anonymous pages): one heap block instead.
  uint8_t* buf = static_cast<uint8_t*>(std::malloc(file.size_));
  if (buf == nullptr) {
    ::close(fd);
    return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes to read '%s'", file.size_, path);
  }
  Status read = read_all(fd, buf, file.size_, path);
  if (!read.is_ok()) {
    std::free(buf);
    ::close(fd);
    return read;
  }
  ::close(fd);
  file.data_ = buf;
  return file;
}

}  // namespace ringlm
