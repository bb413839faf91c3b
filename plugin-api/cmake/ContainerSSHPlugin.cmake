# containerssh_add_plugin(<target> SOURCES <file>... [OUTPUT_NAME <name>])
#
# Builds a ContainerSSH plugin: a shared object (CMake MODULE) without the
# "lib" prefix that exports exactly one symbol, `containerssh_plugin_entry`.
# Hidden visibility and the version script keep every other symbol inside the
# plugin, so two plugins linking different versions of one library never
# clash with each other or with the gateway; --no-undefined turns a missing
# library into a link error instead of a load failure in production.
#
# C++ plugins get the header-only SDK (ContainerSSH::sdk, C++17); a project
# that enables only C gets the C headers (ContainerSSH::plugin_api). The file
# is shared by the source tree (cmake/CshPlugin.cmake) and the installed
# package (find_package(ContainerSSH)), which both define the two targets and
# ContainerSSH_PLUGIN_VERSION_SCRIPT before calling it.
function(containerssh_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "containerssh_add_plugin(${target}): SOURCES names no file")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST languages)
    target_link_libraries(${target} PRIVATE ContainerSSH::sdk)
  else()
    target_link_libraries(${target} PRIVATE ContainerSSH::plugin_api)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${ContainerSSH_PLUGIN_VERSION_SCRIPT}")
  if(ARG_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${ContainerSSH_PLUGIN_VERSION_SCRIPT}" "-Wl,--no-undefined")
endfunction()
