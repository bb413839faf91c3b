// Whole-file reads and writes for tests; both throw std::runtime_error naming
// the file when it cannot be opened, so a test fails with the reason.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace csh::test {

// The file's bytes, unchanged.
std::string read_file(const std::filesystem::path& file);

// Replaces the file's content with `content` (bytes, no newline added).
void write_file(const std::filesystem::path& file, std::string_view content);

}  // namespace csh::test
