# Runs CMD (a ;-list) and passes only if it exits with status EXPECT_RC (default 1: a clean,
# reported failure — not a crash, not success; 2 is a usage error) and its stderr contains EXPECT.
if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 1)
endif()
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "expected exit status ${EXPECT_RC}, got '${rc}'\nstderr: ${err}")
endif()
string(FIND "${err}" "${EXPECT}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "stderr lacks '${EXPECT}':\n${err}")
endif()
message(STATUS "failed cleanly: ${err}")
