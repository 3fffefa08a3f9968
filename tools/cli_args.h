// Tiny argument parser for the ringlm CLI: "-x VALUE" / "--long VALUE" options and flags. An option
// given more than once takes its last value (every subcommand reads options through this class).
// Numbers go through cli_numbers.h: a value out of range is a usage error naming the option as typed.
// An unknown option prints the command's usage (cli_help.h) on stderr.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli_help.h"
#include "cli_numbers.h"

namespace ringlm_cli {

class Args {
 public:
  Args(int argc, char** argv, int first) : command_(argc > 1 ? argv[1] : "") {
    for (int i = first; i < argc; ++i) items_.emplace_back(argv[i]);
  }

  // True and `out` set to the last value if `name` (or `alias`) is present with a value.
  bool get(const char* name, const char* alias, std::string& out) {
    size_t last = items_.size();
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i] == name || (alias != nullptr && items_[i] == alias)) {
        used_.push_back(i);
        if (i + 1 < items_.size()) used_.push_back(i + 1);
        last = i;
      }
    }
    if (last == items_.size()) return false;
    spelled_ = items_[last];
    if (last + 1 >= items_.size()) {
      std::fprintf(stderr, "ringlm: option %s needs a value\n", spelled_.c_str());
      error_ = true;
      return false;
    }
    out = items_[last + 1];
    return true;
  }
  // Every value of a repeatable option, in order.
  std::vector<std::string> all(const char* name) {
    std::vector<std::string> values;
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i] != name) continue;
      used_.push_back(i);
      if (i + 1 < items_.size()) {
        used_.push_back(i + 1);
        values.push_back(items_[++i]);
      } else {
        std::fprintf(stderr, "ringlm: option %s needs a value\n", name);
        error_ = true;
      }
    }
    return values;
  }
  bool flag(const char* name) {
    bool found = false;
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i] == name) {
        used_.push_back(i);
        found = true;
      }
    }
    return found;
  }
  // A whole number in [min, max]; a usage error (out unchanged) for anything else.
  template <typename T>
  bool integer(const char* name, const char* alias, T min, T max, T& out) {
    std::string s;
    if (!get(name, alias, s)) return false;
    if (parse_int(s, min, max, out)) return true;
    return refuse(int_error(spelled_, s, min, max));
  }
  // A finite number in [min, max] (or (min, max] with min_exclusive); a usage error otherwise.
  bool decimal(const char* name, const char* alias, double min, double max, double& out, bool min_exclusive = false) {
    std::string s;
    if (!get(name, alias, s)) return false;
    if (parse_float(s, min, max, out, min_exclusive)) return true;
    return refuse(float_error(spelled_, s, min, max, min_exclusive));
  }
  // Reports options that no get()/flag() call consumed. Call after reading every option.
  bool finish() {
    bool unknown = false;
    for (size_t i = 0; i < items_.size(); ++i) {
      bool used = false;
      for (size_t u : used_) used = used || u == i;
      if (!used) {
        std::fprintf(stderr, "ringlm: unknown argument '%s'\n", items_[i].c_str());
        error_ = true;
        unknown = true;
      }
    }
    if (unknown) print_usage_error(command_.c_str());
    return !error_;
  }

 private:
  bool refuse(const std::string& message) {
    std::fprintf(stderr, "ringlm: %s\n", message.c_str());
    error_ = true;
    return false;
  }

  std::string command_;  // argv[1], whose usage an unknown option prints
  std::vector<std::string> items_;
  std::vector<size_t> used_;
  std::string spelled_;  // the option as typed in the last get() that found it
  bool error_ = false;
};

}  // namespace ringlm_cli
