#include "platform/thread_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <cstring>
#include <vector>

#include "models/llama2c/llama2c_loader.h"
#include "runtime/session.h"
#include "test_support.h"

using namespace ringlm;

TEST_CASE("thread pool: every chunk runs exactly once per job, many jobs in a row") {
  // 5 and 8 threads on fewer cores: workers are often descheduled mid-job or arrive after it
  // ended, which must neither lose nor repeat a chunk.
  for (int threads : {1, 2, 3, 5, 8}) {
    CAPTURE(threads);
    ThreadPool pool;
    if (ringlm_test::kSingleThreaded && threads > 1) {
      CHECK(pool.start(threads).code() == RINGLM_ERR_UNSUPPORTED);
      continue;
    }
    REQUIRE(pool.start(threads).is_ok());
    CHECK(pool.size() == threads);
    std::vector<int64_t> hits(1000, 0);
    for (int job = 0; job < 2000; ++job) {
      pool.parallel_for(1000, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
    }
    bool all = true;
    for (int64_t h : hits) all = all && h == 2000;
    CHECK(all);
  }
}

TEST_CASE("thread pool: workers that went to sleep wake up for the next job" * doctest::skip(ringlm_test::kSingleThreaded)) {
  ThreadPool pool;
  REQUIRE(pool.start(3).is_ok());
  pool.set_adaptive(false);  // every job needs every worker: never run one solo
  // Each chunk waits (up to 5 s) until three chunks are running at once: only three threads can
  // do that, so the job finishes quickly only if both workers woke up and took part.
  struct Meeting {
    std::atomic<int> arrived{0};
    std::atomic<int> threads_seen{0};  // bit per thread index
  };
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the spin phase: workers sleep
    Meeting m;
    const auto t0 = std::chrono::steady_clock::now();
    pool.run(
        [](void* p, int, int, int thread) {
          auto* mt = static_cast<Meeting*>(p);
          mt->threads_seen.fetch_or(1 << thread);
          mt->arrived.fetch_add(1);
          const auto start = std::chrono::steady_clock::now();
          while (mt->arrived.load() < 3 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
            std::this_thread::yield();
          }
        },
        &m, 3);
    CHECK(m.threads_seen.load() == 0b111);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  }
  CHECK(pool.start(0).code() == RINGLM_ERR_INVALID_ARGUMENT);
}

TEST_CASE("thread pool: a stalled thread's chunks are taken over by the others" * doctest::skip(ringlm_test::kSingleThreaded)) {
  for (int threads : {2, 3}) {
    CAPTURE(threads);
    ThreadPool pool;
    REQUIRE(pool.start(threads).is_ok());
    // 24 chunks; whichever thread runs chunk 0 (the first of the caller's own run) stalls there
    // until every other chunk is done, up to 5 s. The job ends quickly only if the others take
    // over the rest of the stalled thread's run.
    struct Job {
      std::atomic<int> done{0};
      std::atomic<int> order_ok{1};
      std::atomic<int> last_own[8];
      int n = 24;
      int threads = 0;
    } job;
    job.threads = threads;
    for (auto& v : job.last_own) v.store(-1);
    const auto t0 = std::chrono::steady_clock::now();
    pool.run(
        [](void* p, int chunk, int n_chunks, int thread) {
          auto* j = static_cast<Job*>(p);
          // A thread's own run (chunks [n*t/T, n*(t+1)/T)) is claimed front to back.
          const int owner = static_cast<int>(int64_t{chunk} * j->threads / n_chunks);
          const bool own = owner == thread && int64_t{n_chunks} * thread / j->threads <= chunk;
          if (own) {
            if (chunk <= j->last_own[thread].load()) j->order_ok.store(0);
            j->last_own[thread].store(chunk);
          }
          if (chunk == 0) {
            const auto start = std::chrono::steady_clock::now();
            while (j->done.load() < n_chunks - 1 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
              std::this_thread::yield();
            }
          }
          j->done.fetch_add(1);
        },
        &job, job.n);
    CHECK(job.done.load() == job.n);
    CHECK(job.order_ok.load() == 1);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  }
}

TEST_CASE("threads: logits are bit-identical at 1, 2, 3 and 4 threads (prefill and decode)") {
  auto loaded = load_llama2c(ringlm_test::shared_path("models/stories260K.bin").c_str(),
                             ringlm_test::shared_path("models/tok512.bin").c_str());
  REQUIRE(loaded.is_ok());
  const Model& model = *loaded.value();
  std::vector<int32_t> prompt(40);
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>((i * 97 + 5) % 512);
  prompt[0] = 1;

  std::vector<std::vector<float>> per_thread_count;
  for (uint32_t threads : {1u, 2u, 3u, 4u}) {
    SessionConfig c;
    c.n_ctx = 128;
    c.n_batch = 32;
    c.n_threads = threads;
    auto r = Session::resolve(model, c);
    if (ringlm_test::kSingleThreaded && threads > 1) {
      CHECK(r.status().code() == RINGLM_ERR_INVALID_ARGUMENT);
      continue;
    }
    REQUIRE(r.is_ok());
    auto created = Session::create(model, r.value(), nullptr, 0);
    REQUIRE(created.is_ok());
    Session* s = created.value();
    std::vector<float> trace;
    REQUIRE(s->prefill(prompt.data(), prompt.size()).is_ok());  // chunks of 32: BLAS path when built
    const float* l = s->logits();
    trace.insert(trace.end(), l, l + 512);
    for (int step = 0; step < 20; ++step) {
      int32_t t = static_cast<int32_t>((step * 31 + 2) % 512);
      REQUIRE(s->prefill(&t, 1).is_ok());
      l = s->logits();
      trace.insert(trace.end(), l, l + 512);
    }
    per_thread_count.push_back(trace);
    s->destroy();
  }
  for (size_t i = 1; i < per_thread_count.size(); ++i) {
    CAPTURE(i + 1);
    CHECK(std::memcmp(per_thread_count[i].data(), per_thread_count[0].data(), per_thread_count[0].size() * sizeof(float)) == 0);
  }
}
