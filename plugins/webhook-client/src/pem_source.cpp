#include "pem_source.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace csh::webhook {

bool is_inline_pem(std::string_view value) {
    const size_t start = value.find_first_not_of(" \t\r\n");
    return start != std::string_view::npos && value.substr(start, 5) == "-----";
}

std::optional<std::string> read_pem_file(const std::string& file, std::string& problem) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problem = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) {
        problem = "read error";
        return std::nullopt;
    }
    return contents.str();
}

std::string load_pem(std::string_view what, const std::string& value) {
    if (value.empty() || is_inline_pem(value)) return value;
    std::string problem;
    auto contents = read_pem_file(value, problem);
    if (!contents) {
        throw std::runtime_error("cannot read the " + std::string(what) + " file " + value + ": " + problem);
    }
    return *contents;
}

}  // namespace csh::webhook
