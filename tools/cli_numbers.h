// Numbers from command-line text, checked against a range before any conversion, so a value out
// of range is refused instead of being cast (undefined for doubles out of an integer's range) or
// wrapped. Whole numbers (counts, sizes, seeds) are decimal digits with an optional '-', or 0x and
// hex digits: no fraction, exponent, spaces or '+'. Decimal numbers (sampling parameters) must be
// finite: nan and inf are refused. Every subcommand parses through these; the messages name the
// flag, the range and the text given.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace ringlm_cli {

// Reads `text` as a whole number: its sign and magnitude (up to 2^64 - 1; "-0" is 0, not negative).
// False on anything else (empty, a fraction, an exponent, a stray character, more than 64 bits).
bool parse_whole(const std::string& text, bool& negative, uint64_t& magnitude);

// "takes a whole number in 0..4294967295"-style range text for the messages.
std::string whole_range(bool min_negative, uint64_t min_magnitude, bool max_negative, uint64_t max_magnitude);

namespace detail {

template <typename T>
void split(T v, bool& negative, uint64_t& magnitude) {
  negative = v < 0;
  // -(v + 1) + 1 reaches the magnitude of the most negative value without overflowing T.
  magnitude = negative ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

// a <= b for numbers given as sign and magnitude (-0 does not occur: 0 is never negative).
inline bool less_equal(bool a_neg, uint64_t a, bool b_neg, uint64_t b) {
  if (a_neg != b_neg) return a_neg;
  return a_neg ? a >= b : a <= b;
}

}  // namespace detail

// A whole number in [min, max] into `out`; false (out unchanged) when the text is not one or the
// number lies outside the range.
template <typename T>
bool parse_int(const std::string& text, T min, T max, T& out) {
  static_assert(std::is_integral<T>::value && sizeof(T) <= sizeof(uint64_t), "integer types of at most 64 bits");
  bool neg = false, lo_neg = false, hi_neg = false;
  uint64_t mag = 0, lo = 0, hi = 0;
  if (!parse_whole(text, neg, mag)) return false;
  detail::split(min, lo_neg, lo);
  detail::split(max, hi_neg, hi);
  if (!detail::less_equal(lo_neg, lo, neg, mag) || !detail::less_equal(neg, mag, hi_neg, hi)) return false;
  // In range, so the value fits T (a negative one is at least INT64_MIN: mag - 1 fits int64_t).
  out = neg ? static_cast<T>(-static_cast<int64_t>(mag - 1) - 1) : static_cast<T>(mag);
  return true;
}

// A finite decimal number in [min, max] (or (min, max] with min_exclusive) into `out`; false (out
// unchanged) on anything else, nan and inf included.
bool parse_float(const std::string& text, double min, double max, double& out, bool min_exclusive = false);

// The message for a refused value: "-c takes a whole number in 0..4294967295, got '0.9'".
template <typename T>
std::string int_error(const std::string& flag, const std::string& text, T min, T max) {
  bool lo_neg = false, hi_neg = false;
  uint64_t lo = 0, hi = 0;
  detail::split(min, lo_neg, lo);
  detail::split(max, hi_neg, hi);
  return flag + " takes a whole number in " + whole_range(lo_neg, lo, hi_neg, hi) + ", got '" + text + "'";
}

// "--temp takes a number from 0 to 100, got 'nan'"; with min_exclusive "--top-p takes a number
// above 0 and at most 1, got '0'".
std::string float_error(const std::string& flag, const std::string& text, double min, double max,
                        bool min_exclusive = false);

// Bytes for people, in binary units: "512 B", "1015.75 KiB", "1.04 MiB", "2.50 GiB". Every tool
// prints sizes through this one formatter.
std::string format_bytes(double bytes);

}  // namespace ringlm_cli
