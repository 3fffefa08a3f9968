// The CLI's number parser: whole numbers only where whole numbers are meant, every type's full
// range and nothing beyond it (no wrap, no cast of an out-of-range double), finite decimals in a
// range, messages naming the flag and the range; and Args: a repeated option takes its last value.
#include "tools/cli_numbers.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tools/cli_args.h"

using namespace ringlm_cli;

namespace {

// parse_int of `text` over T's whole range: the value, or `fallback` when refused.
template <typename T>
T int_or(const std::string& text, T fallback) {
  T out = fallback;
  const bool ok = parse_int(text, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), out);
  CHECK(ok == (out != fallback || text == std::to_string(fallback)));
  return out;
}

template <typename T>
bool int_ok(const std::string& text, T min, T max) {
  T out = 0;
  return parse_int(text, min, max, out);
}

bool float_ok(const std::string& text, double min, double max, bool min_exclusive = false) {
  double out = -12345.0;
  const bool ok = parse_float(text, min, max, out, min_exclusive);
  CHECK(ok == (out != -12345.0));  // unchanged when refused
  return ok;
}

// Args over a command line given as words after "ringlm cmd".
struct Line {
  std::vector<std::string> words;
  std::vector<char*> argv;
  explicit Line(std::vector<std::string> w) : words(std::move(w)) {
    words.insert(words.begin(), {"ringlm", "cmd"});
    for (std::string& s : words) argv.push_back(&s[0]);
  }
  Args args() { return Args(static_cast<int>(argv.size()), argv.data(), 2); }
};

}  // namespace

TEST_CASE("cli numbers: whole numbers reach each type's limits exactly") {
  CHECK(int_or<uint32_t>("4294967295", 7) == UINT32_MAX);
  CHECK(int_or<uint32_t>("0", 7) == 0);
  CHECK(int_or<uint64_t>("18446744073709551615", 7) == UINT64_MAX);
  CHECK(int_or<uint64_t>("0xffffffffffffffff", 7) == UINT64_MAX);
  CHECK(int_or<uint64_t>("0XFFFFFFFFFFFFFFFE", 7) == UINT64_MAX - 1);
  CHECK(int_or<uint64_t>("9007199254740993", 7) == 9007199254740993ull);  // 2^53 + 1: no double in between
  CHECK(int_or<int32_t>("-2147483648", 7) == INT32_MIN);
  CHECK(int_or<int32_t>("2147483647", 7) == INT32_MAX);
  CHECK(int_or<int64_t>("-9223372036854775808", 7) == INT64_MIN);
  CHECK(int_or<int64_t>("9223372036854775807", 7) == INT64_MAX);
  CHECK(int_or<int64_t>("-0", 7) == 0);
  CHECK(int_or<int64_t>("007", 1) == 7);  // leading zeros are decimal, not octal
  CHECK(int_or<int8_t>("-128", 7) == -128);
}

TEST_CASE("cli numbers: one past each limit is refused, not wrapped") {
  CHECK(int_or<uint32_t>("4294967296", 7) == 7);
  CHECK(int_or<uint32_t>("4294967300", 7) == 7);  // once wrapped to 4
  CHECK(int_or<uint32_t>("-1", 7) == 7);
  CHECK(int_or<uint64_t>("18446744073709551616", 7) == 7);
  CHECK(int_or<uint64_t>("99999999999999999999999", 7) == 7);
  CHECK(int_or<uint64_t>("0x10000000000000000", 7) == 7);
  CHECK(int_or<uint64_t>("-1", 7) == 7);
  CHECK(int_or<int32_t>("-2147483649", 7) == 7);
  CHECK(int_or<int32_t>("2147483648", 7) == 7);
  CHECK(int_or<int32_t>("3000000000", 7) == 7);
  CHECK(int_or<int64_t>("-9223372036854775809", 7) == 7);
  CHECK(int_or<int64_t>("9223372036854775808", 7) == 7);
  CHECK(int_or<int8_t>("128", 7) == 7);
}

TEST_CASE("cli numbers: no fractions, exponents, nan or stray characters where a whole number is meant") {
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1.0", "0.9", "1e3", "1e30", "3e9", "nan", "inf", "-inf", "0x",
                          "0x1g", "0x1p3", "12a", "--1", "1,2", "١"}) {
    CAPTURE(bad);
    CHECK_FALSE(int_ok<int64_t>(bad, INT64_MIN, INT64_MAX));
    CHECK_FALSE(int_ok<uint64_t>(bad, 0, UINT64_MAX));
  }
}

TEST_CASE("cli numbers: a range's bounds are inclusive") {
  CHECK(int_ok<uint32_t>("1", 1, 256));
  CHECK(int_ok<uint32_t>("256", 1, 256));
  CHECK_FALSE(int_ok<uint32_t>("0", 1, 256));
  CHECK_FALSE(int_ok<uint32_t>("257", 1, 256));
  CHECK(int_ok<int32_t>("-5", -5, 5));
  CHECK_FALSE(int_ok<int32_t>("-6", -5, 5));
  CHECK_FALSE(int_ok<int32_t>("6", -5, 5));
  CHECK(int_ok<int32_t>("-3", -5, -1));
  CHECK_FALSE(int_ok<int32_t>("0", -5, -1));
}

TEST_CASE("cli numbers: decimals are finite and in range") {
  CHECK(float_ok("0.8", 0, 100));
  CHECK(float_ok("0", 0, 100));
  CHECK(float_ok("100", 0, 100));
  CHECK(float_ok("1e-3", 0, 100));
  CHECK(float_ok("1.5e1", 0, 100));
  CHECK_FALSE(float_ok("100.001", 0, 100));
  CHECK_FALSE(float_ok("-0.1", 0, 100));
  CHECK_FALSE(float_ok("1e400", 0, 1e308));  // overflows to inf
  for (const char* bad : {"", "nan", "NaN", "inf", "-inf", "infinity", " 1", "1 ", "1x", "0.5.5", "--1"}) {
    CAPTURE(bad);
    CHECK_FALSE(float_ok(bad, -1e300, 1e300));
  }
  // (0, 1]: 0 is out, 1 is in.
  CHECK_FALSE(float_ok("0", 0, 1, true));
  CHECK_FALSE(float_ok("-0", 0, 1, true));
  CHECK(float_ok("1e-9", 0, 1, true));
  CHECK(float_ok("1", 0, 1, true));
  CHECK_FALSE(float_ok("1.0000001", 0, 1, true));
}

TEST_CASE("cli numbers: messages name the flag, the range and the text") {
  CHECK(int_error<uint32_t>("-c", "0.9", 0, UINT32_MAX) == "-c takes a whole number in 0..4294967295, got '0.9'");
  CHECK(int_error<uint64_t>("--seed", "-1", 0, UINT64_MAX) ==
        "--seed takes a whole number in 0..18446744073709551615, got '-1'");
  CHECK(int_error<int64_t>("-x", "y", INT64_MIN, INT64_MAX) ==
        "-x takes a whole number in -9223372036854775808..9223372036854775807, got 'y'");
  CHECK(int_error<int32_t>("-x", "y", -5, -1) == "-x takes a whole number in -5..-1, got 'y'");
  CHECK(float_error("--top-p", "0", 0, 1, true) == "--top-p takes a number above 0 and at most 1, got '0'");
  CHECK(float_error("--temp", "nan", 0, 100) == "--temp takes a number from 0 to 100, got 'nan'");
  CHECK(float_error("-x", "y", -0.5, 1e6) == "-x takes a number from -0.5 to 1e+06, got 'y'");
}

TEST_CASE("cli numbers: a repeated option takes its last value, under either spelling") {
  Line line({"-n", "2", "--n-predict", "5", "-n", "3", "--no-mmap", "--no-mmap"});
  Args args = line.args();
  uint32_t n = 0;
  CHECK(args.integer<uint32_t>("-n", "--n-predict", 0, 100, n));
  CHECK(n == 3);
  CHECK(args.flag("--no-mmap"));
  CHECK(args.finish());  // every occurrence was consumed

  Line strings({"-p", "a", "-p", "b"});
  Args sargs = strings.args();
  std::string p;
  CHECK(sargs.get("-p", nullptr, p));
  CHECK(p == "b");
  CHECK(sargs.finish());
}

TEST_CASE("cli numbers: a bad value or a missing last value is a usage error; the value stays as it was") {
  Line bad({"-c", "1e10"});
  Args args = bad.args();
  uint32_t c = 17;
  CHECK_FALSE(args.integer<uint32_t>("-c", "--ctx", 0, UINT32_MAX, c));
  CHECK(c == 17);
  CHECK_FALSE(args.finish());

  Line temp({"--temp", "nan"});
  Args targs = temp.args();
  double t = 0.8;
  CHECK_FALSE(targs.decimal("--temp", nullptr, 0, 100, t));
  CHECK(t == 0.8);
  CHECK_FALSE(targs.finish());

  Line missing({"-n", "2", "-n"});
  Args margs = missing.args();
  uint32_t n = 9;
  CHECK_FALSE(margs.integer<uint32_t>("-n", nullptr, 0, 100, n));
  CHECK(n == 9);
  CHECK_FALSE(margs.finish());
}
