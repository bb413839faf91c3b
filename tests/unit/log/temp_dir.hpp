// A fresh directory under $TMPDIR, removed with everything in it at scope end,
// and small file helpers the log tests share.
#pragma once

#include <string>
#include <vector>

namespace csh::log::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_file(const std::string& path);

// The file's lines without their '\n'; a last line without '\n' is kept too,
// so an incomplete line shows up in the tests that count lines.
std::vector<std::string> read_lines(const std::string& path);

}  // namespace csh::log::test
