#include "core/arena.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using ringlm::Arena;

TEST_CASE("arena: allocations are 64-byte aligned and do not overlap") {
  alignas(64) static unsigned char buf[4096];
  Arena a(buf, sizeof(buf));
  auto* p1 = a.alloc<char>(1);
  auto* p2 = a.alloc<float>(3);
  auto* p3 = a.alloc<double>(9);
  REQUIRE(p1 != nullptr);
  REQUIRE(p2 != nullptr);
  REQUIRE(p3 != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(p1) % 64 == 0);
  CHECK(reinterpret_cast<uintptr_t>(p2) % 64 == 0);
  CHECK(reinterpret_cast<uintptr_t>(p3) % 64 == 0);
  CHECK(reinterpret_cast<unsigned char*>(p2) >= reinterpret_cast<unsigned char*>(p1) + 1);
  CHECK(reinterpret_cast<unsigned char*>(p3) >= reinterpret_cast<unsigned char*>(p2) + 12);
  CHECK(a.used() == 128 + 72);
  CHECK_FALSE(a.exhausted());
}

TEST_CASE("arena: measure mode computes the same size as a real layout") {
  auto layout = [](Arena& a) {
    a.alloc<float>(100);
    a.alloc<int32_t>(7);
    a.alloc<char>(65);
  };
  Arena m = Arena::measure();
  layout(m);
  std::vector<unsigned char> storage(m.used() + 64);
  auto* base = reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) & ~uintptr_t(63));
  Arena real(base, m.used());
  layout(real);
  CHECK(real.used() == m.used());
  CHECK_FALSE(real.exhausted());
}

TEST_CASE("arena: exhaustion returns null and is remembered") {
  alignas(64) static unsigned char buf[256];
  Arena a(buf, sizeof(buf));
  CHECK(a.alloc<char>(200) != nullptr);
  CHECK(a.alloc<char>(100) == nullptr);
  CHECK(a.exhausted());
  CHECK(a.used() == 256 + 100);  // reports what was asked for
  CHECK(a.alloc<char>(1) == nullptr);
}

TEST_CASE("arena: a size overflow is exhaustion, not a wrap-around") {
  alignas(64) static unsigned char buf[256];
  Arena a(buf, sizeof(buf));
  CHECK(a.alloc<double>(SIZE_MAX / 4) == nullptr);
  CHECK(a.exhausted());
}
