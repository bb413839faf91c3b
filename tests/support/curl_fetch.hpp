// The curl command line tool as the real client of the tests of HTTP
// servers: what it received, byte for byte, status and headers taken apart.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::test {

struct Fetched {
    int curl_exit = -1;  // 0 when an answer arrived
    std::string curl_error;  // curl's message otherwise
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // in order, as sent
    std::string body;

    // The first value of a header (case-insensitive name), "" when absent.
    std::string header(std::string_view name) const;
};

// `curl --include` with `arguments` (options and one URL, each one argument).
Fetched curl(const std::vector<std::string>& arguments);

}  // namespace csh::test
