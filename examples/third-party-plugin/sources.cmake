# The plugin's sources, relative to this directory: read by this example's
# CMakeLists.txt and by the ContainerSSH tree, which builds the same plugin as
# its test backend (tests/plugins/CMakeLists.txt).
set(BACKEND_LOCAL_SOURCES
  src/local_backend_plugin.cpp
  src/local_config.cpp
  src/local_connection.cpp
  src/local_session.cpp
  src/local_forward.cpp
  src/local_listener.cpp
  src/socket_address.cpp
  src/child_process.cpp
  src/child_reaper.cpp)
