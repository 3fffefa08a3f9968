# `ringlm bench --json` end to end on stories260K: the output is one JSON array, one object per
# test; every test has positive tok/s and one sample per repetition; a decode row reads every weight
# once plus the KV cache at the mean depth of its steps; its roofline ratio is in (0, 1.5] against
# a bandwidth buffer about the model's size (the weights a step reads sit in cache), and positive
# against the default buffer far beyond the last-level cache. BIN is the ringlm binary, SHARED the
# shared folder.
set(model -m ${SHARED}/models/stories260K.bin -z ${SHARED}/models/tok512.bin)

function(bench_json out_var)
  execute_process(COMMAND ${BIN} bench ${model} --json ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "ringlm bench ${ARGN} exited ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  string(JSON type ERROR_VARIABLE json_error TYPE "${out}")
  if(json_error OR NOT type STREQUAL "ARRAY")
    message(FATAL_ERROR "not a JSON array (${json_error}):\n${out}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(field out_var json index key)
  string(JSON value ERROR_VARIABLE json_error GET "${json}" ${index} ${key})
  if(json_error)
    message(FATAL_ERROR "row ${index} lacks '${key}': ${json_error}")
  endif()
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

function(check_rows json reps expect_tests max_ratio)
  string(JSON n LENGTH "${json}")
  if(NOT n EQUAL expect_tests)
    message(FATAL_ERROR "expected ${expect_tests} rows, got ${n}:\n${json}")
  endif()
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    field(test "${json}" ${i} test)
    field(avg "${json}" ${i} avg_ts)
    field(n_depth "${json}" ${i} n_depth)
    field(n_gen "${json}" ${i} n_gen)
    field(model_size "${json}" ${i} model_size)
    string(JSON n_samples LENGTH "${json}" ${i} samples_ts)
    if(NOT avg GREATER 0 OR NOT n_samples EQUAL reps)
      message(FATAL_ERROR "row ${i}: tok/s ${avg}, ${n_samples} samples (want > 0 and ${reps}):\n${json}")
    endif()
    if(test STREQUAL "tg")
      field(bytes "${json}" ${i} bytes_per_token)
      field(ratio "${json}" ${i} roofline_ratio)
      # stories260K: tied embeddings, so a step reads the weights once; its KV cache (f32, 5 layers,
      # 4 KV heads of 8) is 1280 bytes per token, attended at depth + (n_gen + 1) / 2 on average.
      math(EXPR expected "${model_size} + 640 * (2 * ${n_depth} + ${n_gen} + 1)")
      if(NOT bytes EQUAL expected)
        message(FATAL_ERROR "row ${i}: bytes_per_token ${bytes}, expected ${expected}")
      endif()
      if(NOT ratio GREATER 0 OR (max_ratio AND ratio GREATER max_ratio))
        message(FATAL_ERROR "row ${i}: roofline ratio ${ratio} outside (0, ${max_ratio}]:\n${json}")
      endif()
    elseif(NOT test STREQUAL "pp")
      message(FATAL_ERROR "row ${i}: unknown test '${test}'")
    endif()
  endforeach()
endfunction()

# pp8, tg8 at depth 0 and 16, against a 1 MiB bandwidth buffer.
bench_json(json -p 8 -n 8 -d 0,16 -r 2 -t 1 --bw-mib 1)
check_rows("${json}" 2 4 1.5)
# The default buffer (DRAM): decode only.
bench_json(json -p 0 -n 4 -r 1 -t 1)
check_rows("${json}" 1 1 "")
field(mmap "${json}" 0 mmap)
# The model read into memory: same rows, and the row says so.
bench_json(json_read -p 0 -n 4 -r 1 -t 1 --no-mmap --bw-mib 1)
check_rows("${json_read}" 1 1 "")
field(mmap_read "${json_read}" 0 mmap)
if(NOT mmap STREQUAL "ON" OR NOT mmap_read STREQUAL "OFF")
  message(FATAL_ERROR "mmap field: ${mmap} mapped, ${mmap_read} with --no-mmap (want ON / OFF)")
endif()
message(STATUS "bench --json ok")
