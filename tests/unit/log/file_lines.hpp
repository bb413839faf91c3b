// Reading a log file back line by line, for the log tests.
#pragma once

#include <string>
#include <vector>

namespace csh::log::test {

// The file's lines without their '\n'; a last line without '\n' is kept too,
// so an incomplete line shows up in the tests that count lines.
std::vector<std::string> read_lines(const std::string& path);

}  // namespace csh::log::test
