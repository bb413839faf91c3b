// Small system files the forward-server reads itself (/etc/hosts,
// /etc/resolv.conf): whole-file reads with a bound, and their common shape,
// lines of whitespace-separated fields with comments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csh::agent::forward {

// The file named by the environment variable `variable` when it is set and
// not empty (tests), else `path`; at most about 1 MiB is read. False when it
// cannot be opened.
bool read_config_file(const char* variable, const char* path, std::string& out);

// Calls `visit(fields)` for each line with at least one field; any of
// `comment` starts a comment (hosts(5) has '#', resolv.conf(5) '#' and ';').
template <typename Visit>
void for_each_line(std::string_view text, const char* comment, Visit visit) {
    std::vector<std::string_view> fields;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        line = line.substr(0, line.find_first_of(comment));
        fields.clear();
        for (;;) {
            const std::size_t start = line.find_first_not_of(" \t\r");
            if (start == std::string_view::npos) break;
            line.remove_prefix(start);
            const std::size_t stop = line.find_first_of(" \t\r");
            fields.push_back(line.substr(0, stop));
            line = stop == std::string_view::npos ? std::string_view{} : line.substr(stop);
        }
        if (!fields.empty()) visit(fields);
    }
}

}  // namespace csh::agent::forward
