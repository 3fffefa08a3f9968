# Paths that are not regular files. A FIFO given as any input is refused at once (opening one used
# to wait for a writer forever); a FIFO, folder or device at an output path is refused and left as
# it was (the rename used to replace it with a file); a symlink given as output is written through
# to its target and stays a link. Every command runs with a timeout, so a regression fails here
# instead of hanging. BIN is the ringlm binary, SHARED the shared folder, WORK a scratch folder.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK} ${WORK}/sub ${WORK}/folder)
set(stories ${SHARED}/models/stories260K.bin)
set(tok ${SHARED}/models/tok512.bin)
set(fifo ${WORK}/fifo)
execute_process(COMMAND mkfifo ${fifo} RESULT_VARIABLE made)
if(NOT made STREQUAL "0")
  message(FATAL_ERROR "mkfifo ${fifo} failed")
endif()

function(ringlm expect_rc)
  execute_process(COMMAND ${BIN} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 20)
  if(NOT rc STREQUAL expect_rc)
    message(FATAL_ERROR "'ringlm ${ARGN}' exited '${rc}', expected ${expect_rc}\nstdout: ${out}\nstderr: ${err}")
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

# Exits 0 when `path` is still of `kind` (test -p: a FIFO, -c: a character device, -d: a folder).
function(expect_kind flag path)
  execute_process(COMMAND test ${flag} ${path} RESULT_VARIABLE rc)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${path} is no longer what it was (test ${flag} failed)")
  endif()
endfunction()

# Inputs: every command that reads a file, the FIFO in each input position.
set(out_file ${WORK}/out.gguf)
set(inputs
    "run^-m^${fifo}^-p^hi"
    "run^-m^${stories}^-z^${fifo}^-p^hi"
    "tokenize^-m^${fifo}^-p^hi"
    "info^${fifo}"
    "bench^-m^${fifo}^-p^8^-n^8^--bw-mib^0"
    "quantize^${fifo}^${out_file}^q8_0"
    "synth^--shape^tiny-test^--vocab^${fifo}^-o^${out_file}"
    "perplexity^-m^${stories}^-z^${tok}^-f^${fifo}"
    "convert^-m^${fifo}^-z^${tok}^-o^${out_file}"
    "convert^-m^${stories}^-z^${fifo}^-o^${out_file}")
foreach(cmd ${inputs})
  string(REPLACE "^" ";" args "${cmd}")
  ringlm(1 ${args})
  expect("${err}" "it is a FIFO, not a regular file" "ringlm ${args}")
endforeach()
if(EXISTS ${out_file})
  message(FATAL_ERROR "a refused input still wrote ${out_file}")
endif()

# Outputs that exist and are not regular files: refused, and left as they were.
ringlm(1 convert -m ${stories} -z ${tok} -o ${fifo})
expect("${err}" "will not write '${fifo}': it is a FIFO, not a regular file" "convert -o FIFO")
expect_kind(-p ${fifo})
file(CREATE_LINK fifo ${WORK}/to_fifo SYMBOLIC)
ringlm(1 quantize ${SHARED}/models/stories260K.gguf ${WORK}/to_fifo q8_0)
expect("${err}" "(where the symlink '${WORK}/to_fifo' leads): it is a FIFO" "quantize to a symlink to a FIFO")
expect_kind(-p ${fifo})
ringlm(1 convert -m ${stories} -z ${tok} -o ${WORK}/folder)
expect("${err}" "it is a directory, not a regular file" "convert -o FOLDER")
expect_kind(-d ${WORK}/folder)
# A character device of our own (the null device's numbers), where this user may make one.
execute_process(COMMAND mknod ${WORK}/null c 1 3 RESULT_VARIABLE made_device OUTPUT_QUIET ERROR_QUIET)
if(made_device STREQUAL "0")
  ringlm(1 convert -m ${stories} -z ${tok} -o ${WORK}/null)
  expect("${err}" "it is a character device, not a regular file" "convert -o DEVICE")
  expect_kind(-c ${WORK}/null)
else()
  message(STATUS "mknod not permitted: the character-device case is skipped")
endif()

# A symlink as output: the file it names is written (relative links from the link's folder, a
# chain of them, a target that does not exist yet) and every link stays a link.
file(CREATE_LINK real.gguf ${WORK}/link.gguf SYMBOLIC)        # dangling until the first write
file(CREATE_LINK ../sub/chained.gguf ${WORK}/sub/hop SYMBOLIC)
file(CREATE_LINK sub/hop ${WORK}/chain.gguf SYMBOLIC)
foreach(round 1 2)  # the second round replaces the files the links now name
  ringlm(0 convert -m ${stories} -z ${tok} -o ${WORK}/link.gguf)
  ringlm(0 convert -m ${stories} -z ${tok} -o ${WORK}/chain.gguf)
endforeach()
foreach(link link.gguf chain.gguf sub/hop)
  if(NOT IS_SYMLINK ${WORK}/${link})
    message(FATAL_ERROR "${WORK}/${link} is no longer a symlink")
  endif()
endforeach()
foreach(target real.gguf sub/chained.gguf)
  if(IS_SYMLINK ${WORK}/${target} OR NOT EXISTS ${WORK}/${target})
    message(FATAL_ERROR "${WORK}/${target} was not written as a file")
  endif()
endforeach()
ringlm(0 quantize ${WORK}/link.gguf ${WORK}/link.gguf q8_0)  # in place, through the link
ringlm(0 run -m ${WORK}/link.gguf -p "Once upon a time" -n 8 --temp 0)
expect("${out}" "Once upon a time" "run on the model written through a symlink")
file(GLOB_RECURSE leftovers ${WORK}/*.part)
if(leftovers)
  message(FATAL_ERROR "left behind: ${leftovers}")
endif()
file(REMOVE_RECURSE ${WORK})
