// Subcommands of the ringlm CLI; each returns the process exit code.
#pragma once

namespace ringlm_cli {

int cmd_run(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_convert(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_synth(int argc, char** argv);
int cmd_chat(int argc, char** argv);

}  // namespace ringlm_cli
