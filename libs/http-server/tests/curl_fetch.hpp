// Real peers for the tests of HTTP servers: the curl command line tool (what
// it received, byte for byte) and any other program (promtool), run to
// completion with its output captured.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::test {

struct ProgramResult {
    int exit_code = -1;  // 128 + signal when killed
    std::string out;
    std::string err;
};

// Runs argv[0] (searched in PATH) with `input` as its standard input.
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& input = "");

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
