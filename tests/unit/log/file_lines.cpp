#include "file_lines.hpp"

#include "file_contents.hpp"

namespace csh::log::test {

std::vector<std::string> read_lines(const std::string& path) {
    const std::string text = csh::test::read_file(path);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace csh::log::test
