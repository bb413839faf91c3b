# Compile options shared by every target of the project.
add_library(csh_options INTERFACE)
target_compile_options(csh_options INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
if(CSH_SANITIZE)
  target_compile_options(csh_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(csh_options INTERFACE -fsanitize=address,undefined)
endif()
