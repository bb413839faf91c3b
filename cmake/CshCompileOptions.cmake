# Compile options shared by every target of the project.
add_library(csh_options INTERFACE)
target_compile_options(csh_options INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
if(CSH_SANITIZE)
  target_compile_options(csh_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(csh_options INTERFACE -fsanitize=address,undefined)
endif()

# Test code (suites, harness, helpers) is built without optimisation and with
# line tables only: it is about 70 % of a cold build's compile time, -O2 and
# full debug information cost it more than half of that, and the tests gain
# nothing from them (the code under test keeps the preset's flags). The flags
# come after the preset's on the command line, so they win.
add_library(csh_test_options INTERFACE)
target_link_libraries(csh_test_options INTERFACE csh_options)
target_compile_options(csh_test_options INTERFACE -O0 -g1)
