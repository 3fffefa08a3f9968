// Tiny argument parser for the ringlm CLI: "-x VALUE" / "--long VALUE" options and flags.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ringlm_cli {

class Args {
 public:
  Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) items_.emplace_back(argv[i]);
  }

  // True and `out` set if `name` (or `alias`) is present with a value.
  bool get(const char* name, const char* alias, std::string& out) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i] == name || (alias != nullptr && items_[i] == alias)) {
        used_.push_back(i);
        if (i + 1 >= items_.size()) {
          std::fprintf(stderr, "ringlm: option %s needs a value\n", name);
          error_ = true;
          return false;
        }
        used_.push_back(i + 1);
        out = items_[i + 1];
        return true;
      }
    }
    return false;
  }
  bool flag(const char* name) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i] == name) {
        used_.push_back(i);
        return true;
      }
    }
    return false;
  }
  template <typename T>
  bool number(const char* name, const char* alias, T& out) {
    std::string s;
    if (!get(name, alias, s)) return false;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') {
      std::fprintf(stderr, "ringlm: option %s expects a number, got '%s'\n", name, s.c_str());
      error_ = true;
      return false;
    }
    out = static_cast<T>(v);
    return true;
  }
  // Reports options that no get()/flag() call consumed. Call after reading every option.
  bool finish() {
    for (size_t i = 0; i < items_.size(); ++i) {
      bool used = false;
      for (size_t u : used_) used = used || u == i;
      if (!used) {
        std::fprintf(stderr, "ringlm: unknown argument '%s'\n", items_[i].c_str());
        error_ = true;
      }
    }
    return !error_;
  }

 private:
  std::vector<std::string> items_;
  std::vector<size_t> used_;
  bool error_ = false;
};

}  // namespace ringlm_cli
