// ContainerSSH lets every certificate and key setting (cacert, cert, key)
// hold either the PEM text itself or the name of a file containing it. These
// helpers decide which of the two a value is and read the file; none of them
// ever puts the contents into a message, since a key is a secret.
#pragma once

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace csh::sdk {

// A value is PEM text, not a file name, when its first non-blank characters
// are the five dashes that open every PEM block ("-----BEGIN ...").
inline bool is_inline_pem(std::string_view value) {
    const size_t first = value.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && value.substr(first, 5) == "-----";
}

// Reads all of `file`. On failure returns nullopt and sets `problem` to the
// operating system's reason only ("Permission denied"), so the caller decides
// whether the file name may appear next to it.
inline std::optional<std::string> read_pem_file(const std::string& file, std::string& problem) {
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

// The PEM text `value` stands for: `value` itself when it is inline PEM or
// empty (nothing configured), otherwise what the file it names holds.
// Throws std::runtime_error naming the setting (`what`, e.g. "cacert") and
// the file when the file cannot be read.
inline std::string load_pem(std::string_view what, const std::string& value) {
    if (value.empty() || is_inline_pem(value)) return value;
    std::string problem;
    std::optional<std::string> contents = read_pem_file(value, problem);
    if (!contents) {
        throw std::runtime_error("cannot read the " + std::string(what) + " file " + value + ": " + problem);
    }
    return std::move(*contents);
}

}  // namespace csh::sdk
