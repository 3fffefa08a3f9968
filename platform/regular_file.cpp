#include "platform/regular_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/fd_io.h"

// FIFOs, symlinks and fcntl exist on hosted POSIX systems; bare-metal C libraries (newlib) declare
// some of them without an implementation behind.
#if defined(__unix__) || defined(__APPLE__)
#define RINGLM_POSIX_FILES 1
#endif

namespace ringlm {

namespace {

// What a non-regular file is, for the messages: "a FIFO", "a directory".
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
#ifdef S_ISFIFO
  if (S_ISFIFO(mode)) return "a FIFO";
#endif
#ifdef S_ISSOCK
  if (S_ISSOCK(mode)) return "a socket";
#endif
  return "a special file";
}

#ifdef RINGLM_POSIX_FILES
constexpr int kNonBlocking = O_NONBLOCK;
bool set_blocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags != -1 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}
#else
constexpr int kNonBlocking = 0;
bool set_blocking(int) { return true; }
#endif

// Checks that fd is a regular file and puts it back in blocking mode. On failure fd is closed and
// the status reads "<what> '<path>': <why>", e.g. "cannot open '/tmp/f': it is a FIFO, not a
// regular file".
Status check_regular(int fd, const char* what, const char* path, struct stat* st) {
  const char* kind = nullptr;
  int err = 0;
  if (fstat(fd, st) != 0) {
    err = errno;
  } else if (!S_ISREG(st->st_mode)) {
    kind = kind_of(st->st_mode);
  } else if (!set_blocking(fd)) {
    err = errno;
  } else {
    return Status::ok();
  }
  ::close(fd);
  if (kind != nullptr) return Status::error(RINGLM_ERR_IO, "%s '%s': it is %s, not a regular file", what, path, kind);
  return Status::error(RINGLM_ERR_IO, "%s '%s': %s", what, path, std::strerror(err));
}

}  // namespace

Result<RegularFile> open_regular_file(const char* path) {
  if (path == nullptr || path[0] == '\0') return Status::error(RINGLM_ERR_INVALID_ARGUMENT, "no file path given");
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | kNonBlocking);
  if (fd < 0) {
    const int err = errno;
    const ringlm_status code = (err == ENOENT || err == ENOTDIR) ? RINGLM_ERR_FILE_NOT_FOUND : RINGLM_ERR_IO;
    return Status::error(code, "cannot open '%s': %s", path, std::strerror(err));
  }
  struct stat st;
  RINGLM_TRY(check_regular(fd, "cannot open", path, &st));
  RegularFile file;
  file.fd = fd;
  file.size = static_cast<uint64_t>(st.st_size);
  return file;
}

Result<std::string> resolve_output_path(const std::string& path) {
#ifdef RINGLM_POSIX_FILES
  std::string p = path;
  for (int hops = 0; hops <= 40; ++hops) {  // 40: Linux's own limit on links in one lookup
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return p;  // nothing there yet: the output is created
      return Status::error(RINGLM_ERR_IO, "cannot write '%s': %s", p.c_str(), std::strerror(errno));
    }
    if (S_ISREG(st.st_mode)) return p;
    if (!S_ISLNK(st.st_mode)) {
      const std::string via = p == path ? "" : " (where the symlink '" + path + "' leads)";
      return Status::error(RINGLM_ERR_IO, "will not write '%s'%s: it is %s, not a regular file", p.c_str(), via.c_str(),
                           kind_of(st.st_mode));
    }
    char target[4096];
    const ssize_t n = readlink(p.c_str(), target, sizeof(target));
    if (n < 0 || static_cast<size_t>(n) >= sizeof(target)) {
      return Status::error(RINGLM_ERR_IO, "cannot read the symlink '%s'", p.c_str());
    }
    const std::string link(target, static_cast<size_t>(n));
    const size_t slash = p.find_last_of('/');
    p = (link[0] == '/' || slash == std::string::npos) ? link : p.substr(0, slash + 1) + link;
  }
  return Status::error(RINGLM_ERR_IO, "'%s': too many levels of symlinks", path.c_str());
#else
  return path;
#endif
}

Result<std::FILE*> create_regular_file(const std::string& path) {
#ifdef RINGLM_POSIX_FILES
  // Not O_TRUNC: what is there is checked first (truncating a device is not harmless).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0666);
  if (fd < 0) return Status::error(RINGLM_ERR_IO, "cannot create '%s': %s", path.c_str(), std::strerror(errno));
  struct stat st;
  RINGLM_TRY(check_regular(fd, "cannot create", path.c_str(), &st));
  std::FILE* f = (st.st_size == 0 || ftruncate(fd, 0) == 0) ? fdopen(fd, "wb") : nullptr;
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    return Status::error(RINGLM_ERR_IO, "cannot create '%s': %s", path.c_str(), std::strerror(err));
  }
  return f;
#else
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::error(RINGLM_ERR_IO, "cannot create '%s': %s", path.c_str(), std::strerror(errno));
  return f;
#endif
}

}  // namespace ringlm
