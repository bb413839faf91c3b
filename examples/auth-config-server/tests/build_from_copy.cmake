# cmake -DSOURCE_DIR=<examples/auth-config-server> -DCOPY_ID=<id> [-DCXX_COMPILER=<c++>]
#       [-DLAUNCHER=<ccache>] -P build_from_copy.cmake
#
# Copies the example to $TMPDIR (or /tmp)/containerssh-example-copy-<id>, away
# from the project's tree, builds it there as a top-level project with Ninja,
# and checks that the binary it built answers --help and --list-codes. Fails
# on any error, warnings included (the example builds with -Werror).
# The same COPY_ID reuses the same path, so ccache finds its earlier results.
foreach(var SOURCE_DIR COPY_ID)
  if(NOT ${var})
    message(FATAL_ERROR "${var} is required")
  endif()
endforeach()
set(tmp "$ENV{TMPDIR}")
if(NOT tmp)
  set(tmp /tmp)
endif()
set(work "${tmp}/containerssh-example-copy-${COPY_ID}")
set(copy "${work}/auth-config-server")
set(build "${work}/build")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")
# What an operator copies: the whole directory.
file(COPY "${SOURCE_DIR}/" DESTINATION "${copy}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

find_program(NINJA ninja REQUIRED)
set(configure ${CMAKE_COMMAND} -S "${copy}" -B "${build}" -G Ninja -DCMAKE_MAKE_PROGRAM=${NINJA})
if(CXX_COMPILER)
  list(APPEND configure -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run("configuring the copy in ${copy}" ${configure})
run("building the copy in ${build}" ${CMAKE_COMMAND} --build "${build}")

set(binary "${build}/containerssh-auth-config-server")
run("${binary} --help" "${binary}" --help)
if(NOT output MATCHES "--users FILE" OR NOT output MATCHES "--log-level LEVEL")
  message(FATAL_ERROR "--help of the copy does not list --users and --log-level:\n${output}")
endif()
run("${binary} --list-codes" "${binary}" --list-codes)
if(NOT output MATCHES "\\| `CONFIG_SERVER_AVAILABLE` \\| notice \\| auth-config-server \\|")
  message(FATAL_ERROR "--list-codes of the copy lacks CONFIG_SERVER_AVAILABLE:\n${output}")
endif()
file(REMOVE_RECURSE "${work}")
message(STATUS "the copy in ${copy} builds and runs")
