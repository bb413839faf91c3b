# csh_add_plugin(<target> SOURCES ... [OUTPUT_DIR <dir>]): our own plugins, built
# exactly as a third party builds theirs (containerssh_add_plugin, the file the
# installed CMake package ships) plus our warnings-as-errors options.
set(ContainerSSH_PLUGIN_VERSION_SCRIPT ${PROJECT_SOURCE_DIR}/plugin-api/cmake/plugin.map)
include(${PROJECT_SOURCE_DIR}/plugin-api/cmake/ContainerSSHPlugin.cmake)
function(csh_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  containerssh_add_plugin(${target} SOURCES ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE csh_options)
  if(ARG_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  endif()
endfunction()

# csh_plugin_static_library(<target>): a static library linked into plugin
# MODULEs, built with the same hidden visibility, so none of its symbols
# leaks out of the plugin besides the entry point.
function(csh_plugin_static_library target)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
