# cmake -DDOC=<markdown> -DEXAMPLE=<relative path> -DSOURCE_DIR=<tree> -P CheckDocExample.cmake
# Fails unless DOC shows the file EXAMPLE verbatim: the fenced block right
# after the line "<!-- example: EXAMPLE -->".
file(READ ${DOC} doc)
file(READ ${SOURCE_DIR}/${EXAMPLE} source)
set(marker "<!-- example: ${EXAMPLE} -->\n```cpp\n")
string(FIND "${doc}" "${marker}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} has no block marked '<!-- example: ${EXAMPLE} -->'")
endif()
string(LENGTH "${marker}" marker_length)
math(EXPR begin "${at} + ${marker_length}")
string(SUBSTRING "${doc}" ${begin} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} shown)
if(NOT shown STREQUAL source)
  message(FATAL_ERROR "${DOC} shows an outdated copy of ${EXAMPLE}: paste the file again")
endif()
