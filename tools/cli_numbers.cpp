#include "cli_numbers.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ringlm_cli {

namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string signed_text(bool negative, uint64_t magnitude) {
  return (negative ? "-" : "") + std::to_string(magnitude);
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

bool parse_whole(const std::string& text, bool& negative, uint64_t& magnitude) {
  const bool neg = !text.empty() && text[0] == '-';
  size_t i = neg ? 1 : 0;
  uint64_t base = 10;
  if (text.size() > i + 2 && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  if (i >= text.size()) return false;
  uint64_t v = 0;
  for (; i < text.size(); ++i) {
    const int d = digit_value(text[i]);
    if (d < 0 || static_cast<uint64_t>(d) >= base) return false;
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(d), &v)) return false;
  }
  negative = neg && v != 0;
  magnitude = v;
  return true;
}

std::string whole_range(bool min_negative, uint64_t min_magnitude, bool max_negative, uint64_t max_magnitude) {
  return signed_text(min_negative, min_magnitude) + ".." + signed_text(max_negative, max_magnitude);
}

bool parse_float(const std::string& text, double min, double max, double& out, bool min_exclusive) {
  // strtod would skip leading spaces; an empty or spaced value is not a number here.
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  if (min_exclusive ? !(v > min) : !(v >= min)) return false;
  if (!(v <= max)) return false;
  out = v;
  return true;
}

std::string float_error(const std::string& flag, const std::string& text, double min, double max, bool min_exclusive) {
  return flag + " takes a number " + (min_exclusive ? "above " : "from ") + number_text(min) +
         (min_exclusive ? " and at most " : " to ") + number_text(max) + ", got '" + text + "'";
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
  return buf;
}

}  // namespace ringlm_cli
