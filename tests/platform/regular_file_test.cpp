// Paths that are not regular files. Every reader (MappedFile in both modes, the model loader's
// format peek, the llama2.c tokenizer, snapshots) refuses a FIFO at once instead of waiting for a
// writer; a watchdog thread stands in for that writer after a grace period, so a reader that
// blocks is reported as a failure, never a hung suite. Outputs: resolve_output_path follows
// symlinks and refuses what is not a regular file; create_regular_file never blocks.
#include "platform/regular_file.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/model_loader.h"
#include "platform/mapped_file.h"
#include "ringlm.h"
#include "test_support.h"

using namespace ringlm;

namespace {

// A fresh folder under the temp dir, removed (with what the test left in it) at the end.
struct TempDir {
  std::string path;
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/ringlm_regular_file_XXXXXX";
    REQUIRE(mkdtemp(&tmpl[0]) != nullptr);
    path = tmpl;
  }
  ~TempDir() { remove_tree(path); }
  static void remove_tree(const std::string& p) {
    if (DIR* d = opendir(p.c_str())) {
      while (const dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        struct stat st;
        const std::string child = p + "/" + name;
        if (::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
          remove_tree(child);
        } else {
          ::unlink(child.c_str());
        }
      }
      closedir(d);
    }
    ::rmdir(p.c_str());
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

// Runs `read` (which opens `fifo` somewhere inside); true if it returned without help. After a
// grace period a watchdog opens the FIFO for writing whenever a reader waits on it, which lets a
// blocked open() go on (to fail at the regular-file check), and the run counts as blocked.
bool returns_without_waiting(const std::string& fifo, const std::function<void()>& read) {
  std::atomic<bool> done{false}, helped{false};
  std::thread watchdog([&] {
    const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done.load()) {
      if (std::chrono::steady_clock::now() > grace) {
        const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // succeeds only while a reader waits
        if (fd >= 0) {
          helped = true;
          ::close(fd);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  read();
  done = true;
  watchdog.join();
  return !helped.load();
}

void check_fifo_refused(const Status& s, const std::string& fifo) {
  CHECK(s.code() == RINGLM_ERR_IO);
  const std::string m = s.message();
  CHECK_MESSAGE(m.find("'" + fifo + "': it is a FIFO, not a regular file") != std::string::npos, m);
}

}  // namespace

TEST_CASE("regular file: a regular file opens in blocking mode with its size; others are named") {
  TempDir dir;
  const std::string file = dir / "bytes.bin";
  ::close(::open(file.c_str(), O_WRONLY | O_CREAT, 0644));
  REQUIRE(::truncate(file.c_str(), 1234) == 0);
  Result<RegularFile> ok = open_regular_file(file.c_str());
  REQUIRE(ok.is_ok());
  CHECK(ok.value().size == 1234);
  CHECK((fcntl(ok.value().fd, F_GETFL) & O_NONBLOCK) == 0);
  CHECK((fcntl(ok.value().fd, F_GETFD) & FD_CLOEXEC) != 0);
  ::close(ok.value().fd);

  CHECK(open_regular_file((dir / "missing").c_str()).status().code() == RINGLM_ERR_FILE_NOT_FOUND);
  CHECK(open_regular_file((dir / "bytes.bin/below").c_str()).status().code() == RINGLM_ERR_FILE_NOT_FOUND);
  CHECK(open_regular_file("").status().code() == RINGLM_ERR_INVALID_ARGUMENT);
  const Result<RegularFile> folder = open_regular_file(dir.path.c_str());
  CHECK(folder.status().code() == RINGLM_ERR_IO);
  CHECK(std::string(folder.status().message()).find("it is a directory, not a regular file") != std::string::npos);
  const Result<RegularFile> device = open_regular_file("/dev/null");
  CHECK(device.status().code() == RINGLM_ERR_IO);
  CHECK(std::string(device.status().message()).find("it is a character device") != std::string::npos);
}

TEST_CASE("regular file: every reader refuses a FIFO without waiting for a writer") {
  TempDir dir;
  const std::string fifo = dir / "fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  const std::string stories = ringlm_test::shared_path("models/stories260K.bin");
  const std::string tok = ringlm_test::shared_path("models/tok512.bin");

  Status s;
  CHECK(returns_without_waiting(fifo, [&] { s = open_regular_file(fifo.c_str()).status(); }));
  check_fifo_refused(s, fifo);
  for (LoadMode mode : {LoadMode::kMap, LoadMode::kRead}) {
    CHECK(returns_without_waiting(fifo, [&] { s = MappedFile::open(fifo.c_str(), mode).status(); }));
    check_fifo_refused(s, fifo);
  }
  // The model loader peeks at the format before it maps; then the llama2.c tokenizer.
  CHECK(returns_without_waiting(fifo, [&] { s = load_model_file(fifo.c_str(), tok.c_str()).status(); }));
  check_fifo_refused(s, fifo);
  CHECK(returns_without_waiting(fifo, [&] { s = load_model_file(stories.c_str(), fifo.c_str()).status(); }));
  check_fifo_refused(s, fifo);

  // A snapshot file, through the C API.
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.n_ctx = 16;
  ringlm_session* session = nullptr;
  REQUIRE(ringlm_session_create(model, &sp, nullptr, 0, &session) == RINGLM_OK);
  ringlm_status st = RINGLM_OK;
  CHECK(returns_without_waiting(fifo, [&] { st = ringlm_session_state_load_file(session, fifo.c_str()); }));
  CHECK(st == RINGLM_ERR_IO);
  CHECK(std::string(ringlm_last_error_message()).find("it is a FIFO") != std::string::npos);
  ringlm_session_free(session);
  ringlm_model_free(model);
}

TEST_CASE("regular file: an output path resolves through symlinks and refuses what is not a regular file") {
  TempDir dir;
  REQUIRE(::mkdir((dir / "sub").c_str(), 0755) == 0);
  REQUIRE(mkfifo((dir / "fifo").c_str(), 0644) == 0);
  ::close(::open((dir / "file").c_str(), O_WRONLY | O_CREAT, 0644));
  REQUIRE(::symlink("file", (dir / "to_file").c_str()) == 0);              // relative, same folder
  REQUIRE(::symlink("../sub/new", (dir / "sub/to_new").c_str()) == 0);     // dangling, relative to sub/
  REQUIRE(::symlink("sub/to_new", (dir / "chain").c_str()) == 0);          // a link to a link
  REQUIRE(::symlink((dir / "fifo").c_str(), (dir / "to_fifo").c_str()) == 0);  // absolute
  REQUIRE(::symlink("loop", (dir / "loop").c_str()) == 0);

  auto resolved = [](const std::string& p) {
    Result<std::string> r = resolve_output_path(p);
    INFO(r.status().message());
    REQUIRE(r.is_ok());
    return r.value();
  };
  CHECK(resolved(dir / "file") == dir / "file");
  CHECK(resolved(dir / "new") == dir / "new");
  CHECK(resolved(dir / "to_file") == dir / "file");
  CHECK(resolved(dir / "sub/to_new") == dir / "sub/../sub/new");
  CHECK(resolved(dir / "chain") == dir / "sub/../sub/new");

  auto refusal = [](const std::string& p) { return std::string(resolve_output_path(p).status().message()); };
  const std::string fifo = dir / "fifo";
  CHECK(resolve_output_path(fifo).status().code() == RINGLM_ERR_IO);
  CHECK(refusal(fifo) == "will not write '" + fifo + "': it is a FIFO, not a regular file");
  CHECK(refusal(dir / "to_fifo").find("(where the symlink '" + (dir / "to_fifo") + "' leads)") != std::string::npos);
  CHECK(refusal(dir / "sub").find("it is a directory") != std::string::npos);
  CHECK(refusal("/dev/full").find("it is a character device") != std::string::npos);
  CHECK(refusal(dir / "loop").find("too many levels of symlinks") != std::string::npos);
}

TEST_CASE("regular file: create_regular_file empties a regular file and refuses the rest without blocking") {
  TempDir dir;
  const std::string file = dir / "out";
  for (int round = 0; round < 2; ++round) {  // created, then emptied
    Result<std::FILE*> f = create_regular_file(file);
    REQUIRE(f.is_ok());
    const int fd = fileno(f.value());
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) == 0);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    CHECK(st.st_size == 0);
    CHECK(std::fwrite("abc", 1, 3, f.value()) == 3);
    CHECK(std::fclose(f.value()) == 0);
  }
  REQUIRE(mkfifo((dir / "fifo").c_str(), 0644) == 0);
  REQUIRE(::symlink("out", (dir / "link").c_str()) == 0);
  for (const std::string& bad : {dir / "fifo", dir / "link", dir.path}) {
    CAPTURE(bad);
    Result<std::FILE*> f = create_regular_file(bad);
    CHECK(f.status().code() == RINGLM_ERR_IO);
    CHECK(std::string(f.status().message()).find("cannot create '" + bad + "'") != std::string::npos);
  }
  struct stat st;
  REQUIRE(::lstat((dir / "link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_size == 3);  // the link's target was not emptied
}
