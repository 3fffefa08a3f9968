# Runs CMD (a ;-list) and passes only if it exits with status 1 (a clean, reported failure — not
# a crash, not success) and its stderr contains EXPECT.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc STREQUAL "1")
  message(FATAL_ERROR "expected exit status 1, got '${rc}'\nstderr: ${err}")
endif()
string(FIND "${err}" "${EXPECT}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "stderr lacks '${EXPECT}':\n${err}")
endif()
message(STATUS "failed cleanly: ${err}")
