# The model-writing commands end to end through the CLI: convert stories260K and generate the
# golden text from the GGUF, quantize it to q8_0 and q4_k and generate, synth a tiny-test model,
# list its tensors and generate. BIN is the ringlm binary, SHARED the shared folder, WORK a
# scratch folder.
file(MAKE_DIRECTORY ${WORK})

function(run_ok)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "'${ARGN}' exited ${rc}\nstdout: ${out}\nstderr: ${err}")
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

set(golden "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.")
run_ok(${BIN} convert -m ${SHARED}/models/stories260K.bin -z ${SHARED}/models/tok512.bin -o ${WORK}/stories.gguf)
run_ok(${BIN} run -m ${WORK}/stories.gguf -p "Once upon a time" -n 40 --temp 0)
expect("${out}" "${golden}" "run on the converted model")

foreach(type q8_0 q4_k)
  run_ok(${BIN} quantize ${WORK}/stories.gguf ${WORK}/stories-${type}.gguf ${type})
  expect("${err}" "47/47 tensors" "quantize progress")
  run_ok(${BIN} run -m ${WORK}/stories-${type}.gguf -p "Once upon a time" -n 8 --temp 0)
  expect("${out}" "Once upon a time" "run on ${type}")
endforeach()
run_ok(${BIN} quantize ${WORK}/stories.gguf ${WORK}/stories-q4_k.gguf q4_k)
expect("${err}" "blk.0.ffn_down.weight: row length 172" "q4_k fallback note")

run_ok(${BIN} synth --shape tiny-test --type q4_0 --seed 7 --vocab ${SHARED}/vocab/ggml-vocab-llama-spm.gguf
       -o ${WORK}/tiny.gguf)
expect("${err}" "21/21 tensors" "synth progress")
run_ok(${BIN} info ${WORK}/tiny.gguf --tensors)
expect("${out}" "| q4_0  |      16 |" "info dtype table")
expect("${out}" "blk.1.ffn_down.weight" "info tensor list")
expect("${out}" "[512, 256]" "info tensor shapes")
run_ok(${BIN} run -m ${WORK}/tiny.gguf -p "Hello" -n 4 --temp 0)
file(REMOVE_RECURSE ${WORK})
