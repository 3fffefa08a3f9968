// Help and usage of the ringlm CLI: `ringlm CMD -h/--help` prints the command's help on stdout
// (exit 0), a usage error prints it on stderr (exit 2); `ringlm --version` says what this build runs.
#pragma once

#include <cstdio>

namespace ringlm_cli {

// The help text of `command` (usage, every flag with its default, an example), or null for a
// command that prints its own (bench).
const char* command_help(const char* command);

// True when any argument after the command name is -h or --help.
bool wants_help(int argc, char** argv);

// Prints the whole-CLI usage to `out`.
void print_main_usage(std::FILE* out);

// Version, ABI version, kernel set and prefill GEMM (BLAS or not) of this build, on stdout.
void print_version();

// After a usage error: the command's help on stderr (nothing for a command that prints its own).
void print_usage_error(const char* command);

}  // namespace ringlm_cli
