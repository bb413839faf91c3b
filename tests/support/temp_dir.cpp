#include "temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace csh::test {

TempDir::TempDir() {
    // mkdtemp, not a generated name: the directory is created atomically and
    // only this user can enter it, so parallel tests never share one.
    std::string pattern = (std::filesystem::temp_directory_path() / "csh-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    // A destructor must not throw; a leftover directory is harmless.
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace csh::test
