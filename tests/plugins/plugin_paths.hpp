// Where the build puts the test plugins (tests/plugins/CMakeLists.txt).
#pragma once

#include <string>

inline std::string test_plugin_path(const std::string& file) { return std::string(CSH_TEST_PLUGIN_DIR) + "/" + file; }
