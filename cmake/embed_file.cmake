# Writes a C++ source that holds a file's bytes as a 64-byte-aligned array (a model opened from
# memory, as firmware would): cmake -DINPUT=f -DOUTPUT=f.cpp -DSYMBOL=name -P embed_file.cmake
#   extern const unsigned char name[];   extern const size_t name_size;
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n_hex)
math(EXPR n_bytes "${n_hex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by cmake/embed_file.cmake. Do not edit.\n"
                       "#include <cstddef>\n"
                       "extern const unsigned char ${SYMBOL}[];\n"
                       "extern const size_t ${SYMBOL}_size;\n"
                       "alignas(64) const unsigned char ${SYMBOL}[] = {\n${bytes}\n};\n"
                       "const size_t ${SYMBOL}_size = ${n_bytes};\n")
