# `ringlm run`: -f FILE and -p - give the same text as -p; --stop ends generation before the stop
# string, even one spanning several tokens; --no-cache gives the cached greedy text; a prompt cache
# is reused (the count on stderr) with the same text as an uncached run; the timings start on a new
# line; a context beyond the training context warns and runs. BIN is the ringlm binary, SHARED the
# shared folder, WORK a scratch folder.
set(model -m ${SHARED}/models/stories260K.gguf)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run_ok)
  execute_process(COMMAND ${BIN} run ${model} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 60)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "'run ${ARGN}' exited ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect haystack needle what)
  string(FIND "${haystack}" "${needle}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${what} lacks '${needle}':\n${haystack}")
  endif()
endfunction()

function(same a b what)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${what} differ:\n${a}\n---\n${b}")
  endif()
endfunction()

set(prompt "Once upon a time, there was")
run_ok(-p "${prompt}" -n 30 --temp 0)
set(plain "${out}")
expect("${plain}" "a little girl named Lily" "greedy text")
foreach(line "ringlm: load " "ringlm: prompt 8 tokens (0 reused)" "ringlm: time to first token " "ringlm: decode 29 tokens")
  expect("${err}" "${line}" "timings")
endforeach()

file(WRITE ${WORK}/prompt.txt "${prompt}")
run_ok(-f ${WORK}/prompt.txt -n 30 --temp 0)
same("${plain}" "${out}" "-f and -p texts")
execute_process(COMMAND ${BIN} run ${model} -p - -n 30 --temp 0 INPUT_FILE ${WORK}/prompt.txt RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
same("${plain}" "${out}" "-p - and -p texts")

# " named Lily" spans several tokens; the text stops right before it.
run_ok(-p "${prompt}" -n 30 --temp 0 --stop "nothing like this" --stop " named Lily")
same("${prompt} a little girl\n" "${out}" "--stop text")
expect("${err}" "stopped at a --stop string" "--stop timings")

run_ok(-p "${prompt}" -n 30 --temp 0 --no-cache)
same("${plain}" "${out}" "--no-cache and cached texts")

# Timings on stderr start on their own line when merged with the text.
execute_process(COMMAND ${BIN} run ${model} -p "${prompt}" -n 5 --temp 0 OUTPUT_VARIABLE merged ERROR_VARIABLE merged
                TIMEOUT 60)
string(REGEX MATCH "\nringlm: load " at_line_start "${merged}")
if(NOT at_line_start)
  message(FATAL_ERROR "the timings do not start a line:\n${merged}")
endif()

# Prompt cache: the first run saves 8 tokens, a longer prompt reuses them (and saves its 10), the
# same prompt again reuses all 10; another prompt prefills everything.
set(cache ${WORK}/prompt.cache)
run_ok(-p "${prompt}" -n 30 --temp 0 --prompt-cache ${cache})
same("${plain}" "${out}" "first cached run and plain texts")
if(NOT EXISTS ${cache})
  message(FATAL_ERROR "--prompt-cache wrote no file")
endif()
run_ok(-p "${prompt} a little" -n 30 --temp 0)
set(longer "${out}")
run_ok(-p "${prompt} a little" -n 30 --temp 0 --prompt-cache ${cache})
same("${longer}" "${out}" "reusing and uncached texts")
expect("${err}" "prompt cache: 8 of 10 prompt tokens reused" "reuse message")
run_ok(-p "${prompt} a little" -n 30 --temp 0 --prompt-cache ${cache})
same("${longer}" "${out}" "fully cached and uncached texts")
expect("${err}" "prompt cache: 10 of 10 prompt tokens reused" "second reuse message")
run_ok(-p "Lily went" -n 4 --temp 0 --prompt-cache ${cache})
expect("${err}" "prompt cache not used: the prompt does not start with" "another prompt")

# stories260K.gguf was trained on 128 tokens: 256 runs, with a warning.
run_ok(-p "${prompt}" -n 150 --temp 0 -c 256)
expect("${err}" "more than the model's training context of 128" "-c 256 warning")
execute_process(COMMAND ${BIN} info ${SHARED}/models/stories260K.gguf -c 256 RESULT_VARIABLE rc OUTPUT_VARIABLE out)
expect("${out}" "note: 256 tokens is more than the model's training context of 128" "info -c 256")
expect("${out}" "| f32     |" "info -c 256 table")
