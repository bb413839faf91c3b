#include "curl_fetch.hpp"

#include "process.hpp"

#include <strings.h>

#include <cstdlib>

namespace csh::test {

std::string Fetched::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
    }
    return {};
}

Fetched curl(const std::vector<std::string>& arguments) {
    std::vector<std::string> argv{"curl", "--silent", "--show-error", "--include", "--max-time", "20"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const RunResult run = csh::test::run(argv);

    Fetched fetched;
    fetched.curl_exit = run.exit_code;
    fetched.curl_error = run.err;
    const size_t head_end = run.out.find("\r\n\r\n");
    if (run.out.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos) return fetched;
    const std::string head = run.out.substr(0, head_end);
    fetched.body = run.out.substr(head_end + 4);

    size_t line_start = 0;
    for (bool first = true; line_start <= head.size(); first = false) {
        size_t line_end = head.find("\r\n", line_start);
        if (line_end == std::string::npos) line_end = head.size();
        const std::string line = head.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        if (first) {
            const size_t space = line.find(' ');
            if (space != std::string::npos) fetched.status = std::atoi(line.c_str() + space + 1);
            continue;
        }
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const size_t value = line.find_first_not_of(' ', colon + 1);
        fetched.headers.emplace_back(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
    }
    return fetched;
}

}  // namespace csh::test
