// PageMemory: zero-filled, writable until protected, moved without copying, empty when asked for
// nothing.
#include "platform/page_memory.h"

#include <doctest/doctest.h>

#include <utility>

using namespace ringlm;

TEST_CASE("page memory: a zero-filled writable block that moves without copying") {
  const size_t bytes = (size_t{3} << 20) + 123;  // past one 2 MiB huge page, not a page multiple
  PageMemory m = PageMemory::allocate(bytes);
  REQUIRE(m.data() != nullptr);
  CHECK(m.size() == bytes);
  bool zero = true;
  for (size_t i = 0; i < bytes; i += 4093) zero = zero && m.data()[i] == 0;
  CHECK(zero);
  CHECK(m.data()[bytes - 1] == 0);
  for (size_t i = 0; i < bytes; ++i) m.data()[i] = static_cast<uint8_t>(i * 7);
  uint8_t* where = m.data();
  PageMemory moved = std::move(m);
  CHECK(moved.data() == where);
  CHECK(moved.size() == bytes);
  CHECK(m.data() == nullptr);
  CHECK(m.size() == 0);
  moved.protect_read_only();
  CHECK(moved.data()[bytes - 1] == static_cast<uint8_t>((bytes - 1) * 7));
  m = std::move(moved);  // assignment into an emptied block
  CHECK(m.data() == where);

  PageMemory none = PageMemory::allocate(0);
  CHECK(none.data() == nullptr);
  CHECK(none.size() == 0);
}
