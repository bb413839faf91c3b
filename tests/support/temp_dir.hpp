// A private scratch directory for one test, under the system temporary
// directory ($TMPDIR when set), removed with everything in it at scope end.
#pragma once

#include <filesystem>
#include <string>

namespace csh::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // path()/name as a string, for the APIs under test that take string paths.
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace csh::test
