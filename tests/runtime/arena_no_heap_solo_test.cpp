// A session must never touch the heap after ringlm_session_create: this binary replaces the C
// allocator (which operator new also uses) with counting wrappers and asserts zero calls across
// prefill, 200 decode steps with sampling (penalties and min-p included), and a whole generate().
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

// Dynamic builds define malloc & co. here and forward to glibc's __libc_* entry points. A static
// link (the cross toolchains link with -static) cannot: libc.a's malloc.o defines both, so the
// definitions would clash. There tests/CMakeLists.txt links with -Wl,--wrap=<name> for each name
// below, every call to <name> reaches RINGLM_HOOK(<name>), and __real_<name> is libc's own.
#ifdef RINGLM_TEST_WRAP_ALLOCATOR
#define RINGLM_HOOK(name) __wrap_##name
#define RINGLM_LIBC(name) __real_##name
#else
#define RINGLM_HOOK(name) name
#define RINGLM_LIBC(name) __libc_##name
#endif

extern "C" {
void* RINGLM_LIBC(malloc)(size_t);
void* RINGLM_LIBC(calloc)(size_t, size_t);
void* RINGLM_LIBC(realloc)(void*, size_t);
void* RINGLM_LIBC(memalign)(size_t, size_t);
void RINGLM_LIBC(free)(void*);
}

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void note() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* RINGLM_HOOK(malloc)(size_t n) {
  note();
  return RINGLM_LIBC(malloc)(n);
}
void* RINGLM_HOOK(calloc)(size_t a, size_t b) {
  note();
  return RINGLM_LIBC(calloc)(a, b);
}
void* RINGLM_HOOK(realloc)(void* p, size_t n) {
  note();
  return RINGLM_LIBC(realloc)(p, n);
}
void* RINGLM_HOOK(aligned_alloc)(size_t align, size_t n) {
  note();
  return RINGLM_LIBC(memalign)(align, n);
}
void* RINGLM_HOOK(memalign)(size_t align, size_t n) {
  note();
  return RINGLM_LIBC(memalign)(align, n);
}
int RINGLM_HOOK(posix_memalign)(void** out, size_t align, size_t n) {
  note();
  *out = RINGLM_LIBC(memalign)(align, n);
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}
void RINGLM_HOOK(free)(void* p) { RINGLM_LIBC(free)(p); }
}

namespace {

bool count_tokens(void* user, int32_t, const char*, size_t) {
  ++*static_cast<int*>(user);
  return true;
}

}  // namespace

TEST_CASE("arena: the allocator replacement really counts") {
  g_allocations = 0;
  g_counting = true;
  void* volatile p = std::malloc(16);  // volatile: the compiler may not drop the malloc/free pair
  std::vector<int>* v = new std::vector<int>(10);
  g_counting = false;
  delete v;
  std::free(p);
  CHECK(g_allocations.load() >= 3);  // malloc, new, the vector's buffer
}

TEST_CASE("arena: caller buffer, plan == used, zero heap allocations after create") {
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  sp.temperature = 0.9f;  // exercise the full sampling path (softmax, top-k, top-p)
  sp.top_k = 40;
  sp.top_p = 0.9f;
  sp.min_p = 0.01f;  // and the penalties over the recent-token ring
  sp.repeat_penalty = 1.1f;
  sp.presence_penalty = 0.2f;
  sp.frequency_penalty = 0.1f;
  size_t plan = 0;
  REQUIRE(ringlm_session_plan(model, &sp, &plan) == RINGLM_OK);
  REQUIRE(plan > 0);

  const size_t guard = 256;
  std::vector<unsigned char> storage(plan + guard + 64);
  auto* arena = reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) & ~uintptr_t(63));
  std::memset(arena, 0xA5, plan + guard);

  SUBCASE("a buffer one byte short is refused and left untouched") {
    ringlm_session* s = reinterpret_cast<ringlm_session*>(0x1);
    CHECK(ringlm_session_create(model, &sp, arena, plan - 1, &s) == RINGLM_ERR_ARENA_TOO_SMALL);
    CHECK(s == nullptr);
    const std::string msg = ringlm_last_error_message();
    CHECK(msg.find(std::to_string(plan)) != std::string::npos);  // names the bytes needed
    bool untouched = true;
    for (size_t i = 0; i < plan + guard; ++i) untouched = untouched && arena[i] == 0xA5;
    CHECK(untouched);
  }

  SUBCASE("a misaligned buffer is refused") {
    ringlm_session* s = nullptr;
    CHECK(ringlm_session_create(model, &sp, arena + 8, plan, &s) == RINGLM_ERR_INVALID_ARGUMENT);
    CHECK(s == nullptr);
  }

  SUBCASE("exact-size buffer works without the heap") {
    ringlm_session* s = nullptr;
    REQUIRE(ringlm_session_create(model, &sp, arena, plan, &s) == RINGLM_OK);
    CHECK(reinterpret_cast<unsigned char*>(s) == arena);
    CHECK(ringlm_session_arena_used(s) == plan);
    bool guard_intact = true;
    for (size_t i = plan; i < plan + guard; ++i) guard_intact = guard_intact && arena[i] == 0xA5;
    CHECK(guard_intact);

    const char* prompt = "Once upon a time";
    int32_t tokens[32];
    size_t n = 0;
    REQUIRE(ringlm_tokenize(model, prompt, std::strlen(prompt), true, tokens, 32, &n) == RINGLM_OK);

    g_allocations = 0;
    g_counting = true;
    ringlm_status st = ringlm_session_prefill(s, tokens, n);
    int steps_ok = 0;
    for (int i = 0; i < 200 && st == RINGLM_OK; ++i) {
      int32_t next = 0;
      st = ringlm_session_sample(s, &next);
      if (st == RINGLM_OK) st = ringlm_session_decode(s, next);
      if (st == RINGLM_OK) ++steps_ok;
    }
    ringlm_status reset_st = ringlm_session_reset(s);
    int streamed = 0;
    size_t generated = 0;
    ringlm_status gen_st = ringlm_session_generate(s, tokens, n, 100, count_tokens, &streamed, &generated);
    g_counting = false;

    CHECK(st == RINGLM_OK);
    CHECK(steps_ok == 200);
    CHECK(reset_st == RINGLM_OK);
    CHECK(gen_st == RINGLM_OK);
    CHECK(streamed > 0);
    CHECK(g_allocations.load() == 0);
    // The session stayed inside its plan.
    guard_intact = true;
    for (size_t i = plan; i < plan + guard; ++i) guard_intact = guard_intact && arena[i] == 0xA5;
    CHECK(guard_intact);
    ringlm_session_free(s);
  }
  ringlm_model_free(model);
}
