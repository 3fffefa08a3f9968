# `ringlm run` on inputs that once went wrong: a repeated option takes its last value; seeds are
# whole 64-bit numbers (2^53 and 2^53 + 1 were the same double); a prompt with more tokens than
# bytes (BOS, a space prefix, then 4 tokens for each 2-byte "\xc0 ") is tokenized whole. BIN is
# the ringlm binary, SHARED the shared folder.
set(model -m ${SHARED}/models/stories260K.bin -z ${SHARED}/models/tok512.bin)

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

run_ok(-p "Once upon a time" --temp 0 -n 2 -n 3)
expect("${err}" "(3 generated" "-n 2 -n 3")
run_ok(-p "Once upon a time" --temp 0 --n-predict 9 -n 3)
expect("${err}" "(3 generated" "--n-predict 9 -n 3")

set(texts "")
foreach(seed 9007199254740992 9007199254740993 9007199254740993 18446744073709551615 0xffffffffffffffff)
  run_ok(-p "Once upon a time" --temp 1 --top-k 0 --top-p 1 -n 48 --seed ${seed})
  list(APPEND texts "${out}")
endforeach()
list(GET texts 0 a)
list(GET texts 1 b)
list(GET texts 2 b_again)
list(GET texts 3 max)
list(GET texts 4 max_hex)
if(NOT b STREQUAL b_again OR NOT max STREQUAL max_hex)
  message(FATAL_ERROR "the same seed gave different text:\n${b}\n${b_again}\n${max}\n${max_hex}")
endif()
if(a STREQUAL b)
  message(FATAL_ERROR "seeds 2^53 and 2^53 + 1 gave the same text: the seed lost its low bits\n${a}")
endif()

string(ASCII 192 c0)
set(prompt "")
foreach(i RANGE 1 20)
  string(APPEND prompt "${c0} ")
endforeach()
run_ok(-p "${prompt}" --temp 0 -n 4)
expect("${err}" "prompt 82 tokens" "a prompt of 20 x \\xc0 and a space")
