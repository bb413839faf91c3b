# csh_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s])
# A Boost.Test executable registered with ctest under the same name.
function(csh_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Boost::unit_test_framework csh_test_options)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK)
  add_test(NAME ${name} COMMAND ${name} --log_level=test_suite --report_level=short)
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  else()
    set_tests_properties(${name} PROPERTIES TIMEOUT 300)
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# csh_test_installs_everything(<test target>): the test runs `cmake --install`
# of the build tree, so every target with an install rule must be built
# before it (ctest runs after a build, but `--target <test>` builds alone).
# Targets defined later in the tree (the conformance runner) add themselves.
function(csh_test_installs_everything target)
  foreach(installed containerssh csh_plugin_auth_http csh_plugin_config_http csh_plugin_backend_docker
                    csh_plugin_backend_kubernetes csh_plugin_metrics csh_plugin_audit_s3 containerssh-agent
                    containerssh-auth-config-server containerssh-auditlog-decoder man_pages)
    if(TARGET ${installed})
      add_dependencies(${target} ${installed})
    endif()
  endforeach()
endfunction()
