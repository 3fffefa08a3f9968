#include "platform/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

#include "platform/fd_io.h"

#if defined(__unix__) || defined(__APPLE__)
#define RINGLM_ATOMIC_RENAME 1  // rename, fsync, symlinks and pids exist
#endif

namespace ringlm {

namespace {

std::atomic<unsigned> g_temp_counter{0};  // tells apart the temporary files of one process

// The file a write to `path` should replace: `path`, or the file its symlink chain ends at.
Status resolve_target(const char* path, char* out, size_t capacity) {
#ifdef RINGLM_ATOMIC_RENAME
  struct stat st;
  if (::lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
    char resolved[PATH_MAX];
    RINGLM_CHECK(::realpath(path, resolved) != nullptr, RINGLM_ERR_IO, "cannot follow the symlink '%s': %s", path,
                 std::strerror(errno));
    path = resolved;
    RINGLM_CHECK(std::strlen(path) < capacity, RINGLM_ERR_IO, "the path '%s' is too long", path);
    std::memcpy(out, path, std::strlen(path) + 1);
  } else {
    RINGLM_CHECK(std::strlen(path) < capacity, RINGLM_ERR_IO, "the path '%s' is too long", path);
    std::memcpy(out, path, std::strlen(path) + 1);
  }
  if (::stat(out, &st) == 0) {
    RINGLM_CHECK(S_ISREG(st.st_mode), RINGLM_ERR_IO, "'%s' exists and is not a regular file", out);
  }
#else
  RINGLM_CHECK(std::strlen(path) < capacity, RINGLM_ERR_IO, "the path '%s' is too long", path);
  std::memcpy(out, path, std::strlen(path) + 1);
#endif
  return Status::ok();
}

}  // namespace

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
#ifdef RINGLM_ATOMIC_RENAME
  if (temp_[0] != '\0') ::unlink(temp_);
#endif
  temp_[0] = '\0';
}

Status AtomicFile::open(const char* path) {
  RINGLM_CHECK(path != nullptr && path[0] != '\0', RINGLM_ERR_INVALID_ARGUMENT, "the output path is empty");
  discard();
  write_errno_ = 0;
  RINGLM_TRY(resolve_target(path, target_, sizeof target_));
#ifdef RINGLM_ATOMIC_RENAME
  std::snprintf(temp_, sizeof temp_, "%s.%ld-%u.part", target_, static_cast<long>(::getpid()),
                g_temp_counter.fetch_add(1, std::memory_order_relaxed));
  fd_ = ::open(temp_, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int err = errno;
    temp_[0] = '\0';  // not ours: never unlinked
    return Status::error(RINGLM_ERR_IO, "cannot create a temporary file beside '%s': %s", target_, std::strerror(err));
  }
#else
  fd_ = ::open(target_, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  RINGLM_CHECK(fd_ >= 0, RINGLM_ERR_IO, "cannot create '%s': %s", target_, std::strerror(errno));
#endif
  return Status::ok();
}

Status AtomicFile::write(const void* data, size_t bytes) {
  RINGLM_CHECK(fd_ >= 0, RINGLM_ERR_INVALID_STATE, "the file is not open");
  if (write_errno_ == 0 && !write_all(fd_, data, bytes)) write_errno_ = errno != 0 ? errno : EIO;
  RINGLM_CHECK(write_errno_ == 0, RINGLM_ERR_IO, "cannot write '%s': %s", target_, std::strerror(write_errno_));
  return Status::ok();
}

Status AtomicFile::commit() {
  RINGLM_CHECK(fd_ >= 0, RINGLM_ERR_INVALID_STATE, "the file is not open");
  Status result = Status::ok();
  if (write_errno_ != 0) {
    result = Status::error(RINGLM_ERR_IO, "cannot write '%s': %s", target_, std::strerror(write_errno_));
  }
#ifdef RINGLM_ATOMIC_RENAME
  if (result.is_ok() && ::fsync(fd_) != 0) {
    result = Status::error(RINGLM_ERR_IO, "cannot flush '%s' to disk: %s", target_, std::strerror(errno));
  }
#endif
  const int closed = ::close(fd_);
  fd_ = -1;
  if (result.is_ok() && closed != 0) {
    result = Status::error(RINGLM_ERR_IO, "cannot write '%s': %s", target_, std::strerror(errno));
  }
#ifdef RINGLM_ATOMIC_RENAME
  if (result.is_ok() && std::rename(temp_, target_) != 0) {
    result = Status::error(RINGLM_ERR_IO, "cannot replace '%s': %s", target_, std::strerror(errno));
  }
  if (result.is_ok()) temp_[0] = '\0';  // renamed: nothing left to remove
#endif
  discard();
  return result;
}

}  // namespace ringlm
