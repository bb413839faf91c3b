# csh_add_plugin(<target> SOURCES ...): builds a plugin shared object that exports only
# `containerssh_plugin_entry` (hidden visibility plus a version script), so plugins can
# never clash with each other's or the host's symbols.
set(CSH_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/plugin.map)
function(csh_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE containerssh_sdk csh_options)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${CSH_PLUGIN_VERSION_SCRIPT}" "-Wl,--no-undefined")
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
