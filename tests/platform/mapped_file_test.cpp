// MappedFile and the address space: a file past PTRDIFF_MAX bytes (any file of 2 GiB or more on a
// 32-bit target) is refused with a status naming its size, never mapped as a wrapped-around prefix;
// on 64-bit targets the same files map whole. The files are sparse (ftruncate), so they cost no disk.
#define _FILE_OFFSET_BITS 64  // before any system header: 3 and 5 GiB files on 32-bit targets too

#include "platform/mapped_file.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "test_support.h"

using namespace ringlm;

TEST_CASE("mapped file: files past PTRDIFF_MAX bytes are refused by size, others map whole") {
  for (uint64_t gib : {3u, 5u}) {
    CAPTURE(gib);
    const uint64_t bytes = gib << 30;
    const std::string path = ringlm_test::write_temp_file("sparse_" + std::to_string(gib) + "gib.bin", {});
    const int fd = ::open(path.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    const bool sized = ::ftruncate(fd, static_cast<off_t>(bytes)) == 0;
    ::close(fd);
    if (!sized) {
      MESSAGE("skipping " << gib << " GiB: this filesystem cannot make the sparse file");
      ::unlink(path.c_str());
      continue;
    }
    Result<MappedFile> file = MappedFile::open(path.c_str());
    if (bytes > static_cast<uint64_t>(PTRDIFF_MAX)) {
      REQUIRE_FALSE(file.is_ok());
      CHECK(file.status().code() == RINGLM_ERR_OUT_OF_MEMORY);
      CHECK(std::string(file.status().message()).find(std::to_string(bytes) + " bytes") != std::string::npos);
    } else {
      REQUIRE(file.is_ok());
      CHECK(file.value().size() == bytes);
      CHECK(file.value().bytes()[static_cast<size_t>(bytes - 1)] == 0);  // the last page is there (a hole reads as zeros)
    }
    ::unlink(path.c_str());
  }
}

TEST_CASE("mapped file: read mode holds the same bytes as the mapping, and fails the same way") {
  std::vector<uint8_t> content(3 * 4096 + 17);
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>((i * 131 + 7) & 0xFF);
  const std::string path = ringlm_test::write_temp_file("mapped_read_mode.bin", content);
  Result<MappedFile> mapped = MappedFile::open(path.c_str(), LoadMode::kMap);
  Result<MappedFile> read = MappedFile::open(path.c_str(), LoadMode::kRead);
  REQUIRE(mapped.is_ok());
  REQUIRE(read.is_ok());
  REQUIRE(read.value().size() == content.size());
  CHECK(read.value().bytes().data() != mapped.value().bytes().data());
  CHECK(std::memcmp(read.value().bytes().data(), content.data(), content.size()) == 0);
  CHECK(std::memcmp(mapped.value().bytes().data(), content.data(), content.size()) == 0);
  // Moving keeps the bytes where they are; the moved-from file is empty.
  const uint8_t* where = read.value().bytes().data();
  MappedFile moved = std::move(read.value());
  CHECK(moved.bytes().data() == where);
  CHECK(read.value().size() == 0);
  ::unlink(path.c_str());

  const std::string empty = ringlm_test::write_temp_file("mapped_read_empty.bin", {});
  Result<MappedFile> e = MappedFile::open(empty.c_str(), LoadMode::kRead);
  REQUIRE(e.is_ok());
  CHECK(e.value().size() == 0);
  ::unlink(empty.c_str());

  Result<MappedFile> missing = MappedFile::open("/nonexistent/dir/file.bin", LoadMode::kRead);
  CHECK(missing.status().code() == RINGLM_ERR_FILE_NOT_FOUND);
  Result<MappedFile> dir = MappedFile::open("/tmp", LoadMode::kRead);
  CHECK(dir.status().code() == RINGLM_ERR_IO);
}
