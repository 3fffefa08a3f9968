# `ringlm bench --cache-table` and `--window` run alone (-p 0 -n 0) and draw their curves with
# --plot: the tables have their rows, the cache curve ends at the model's context and says so, and
# the SVG holds one line per series with the fitted slopes on the log-log chart. BIN is the ringlm
# binary, SHARED the shared folder, WORK a scratch folder.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(model -m ${SHARED}/models/stories260K.bin -z ${SHARED}/models/tok512.bin)

function(bench out_var)
  execute_process(COMMAND ${BIN} bench ${model} -p 0 -n 0 -r 1 ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "ringlm bench ${ARGN} exited ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(expect text what)
  string(FIND "${text}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${what}' in:\n${text}")
  endif()
endfunction()

function(count_matches out_var regex text)
  string(REGEX MATCHALL "${regex}" found "${text}")
  list(LENGTH found n)
  set(${out_var} ${n} PARENT_SCOPE)
endfunction()

# stories260K's context is 512: points at depth 16, 32, ..., 256 and the last at 480 (contexts
# depth + 16), each with a median and its quartiles for both modes.
bench(out --cache-table --plot ${WORK}/cache.svg)
count_matches(rows "\\| +[0-9]+ \\| +[0-9.]+ \\[[0-9.]+-[0-9.]+\\] \\| +[0-9.]+ \\[[0-9.]+-[0-9.]+\\] \\| +[0-9.]+x \\|" "${out}")
if(NOT rows EQUAL 6)
  message(FATAL_ERROR "expected 6 cache-curve rows, got ${rows}:\n${out}")
endif()
expect("${out}" "|     496 |")
expect("${out}" "the curve ends at the model's context, 512 tokens")
file(READ ${WORK}/cache.svg svg)
expect("${svg}" "<svg ")
count_matches(lines "<polyline" "${svg}")
count_matches(points "<circle" "${svg}")
if(NOT lines EQUAL 2 OR NOT points EQUAL 12)
  message(FATAL_ERROR "the cache plot should have 2 lines of 6 points, has ${lines} lines and ${points} points")
endif()
expect("${svg}" "with KV cache (slope ")
expect("${svg}" "without (recompute) (slope ")

# Streaming: one row per depth, arena the same at every depth; two charts.
bench(out --window 60 --sinks 4 --depths 10,200,1000 --plot ${WORK}/stream.svg)
count_matches(rows "\\| +(10|200|1000) \\| +[0-9.]+ ± +[0-9.]+ +\\| +[0-9.]+ (B|KiB|MiB|GiB) \\|" "${out}")
if(NOT rows EQUAL 3)
  message(FATAL_ERROR "expected 3 streaming rows, got ${rows}:\n${out}")
endif()
string(REGEX MATCHALL "\\| +[0-9.]+ (B|KiB|MiB|GiB) \\| +[0-9.]+ (B|KiB|MiB|GiB) \\|" sizes "${out}")
list(LENGTH sizes n)
list(GET sizes 0 first)
string(REGEX REPLACE "\\| +([0-9.]+ (B|KiB|MiB|GiB)) \\|.*" "\\1" first "${first}")
foreach(row ${sizes})
  expect("${row}" "${first}")
endforeach()
file(READ ${WORK}/stream.svg svg)
count_matches(lines "<polyline" "${svg}")
if(NOT lines EQUAL 3)
  message(FATAL_ERROR "the streaming plot should have 3 lines (tok/s; resident memory and arena), has ${lines}")
endif()
expect("${svg}" "Streaming memory against depth (4 sinks + 60 window)")
