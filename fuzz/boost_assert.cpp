// Boost's assertion handler for the fuzz targets (CSH_FUZZ defines
// BOOST_ENABLE_ASSERT_HANDLER for the whole tree): a failed BOOST_ASSERT
// aborts, so libFuzzer reports it, except for the one assertion below that
// is wrong in the Boost we build against.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool ends_with(const char* text, const char* suffix) {
    const size_t n = std::strlen(text), m = std::strlen(suffix);
    return n >= m && std::strcmp(text + n - m, suffix) == 0;
}

// Boost.Beast 1.74 asserts n >= 5 when it resumes a chunked body's last
// chunk, but a stream may deliver "0\r\n" and then one byte at a time; the
// code after the assertion asks for more data correctly (release builds
// have no assertion). Upstream: boostorg/beast pull request 2861, in Boost
// 1.86. Input: corpus/http_response/regression-beast-chunk-assert.
bool known_wrong(const char* expr, const char* file) {
    return std::strcmp(expr, "n >= 5") == 0 && ends_with(file, "boost/beast/http/impl/basic_parser.ipp");
}

}  // namespace

namespace boost {

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
    if (known_wrong(expr, file)) return;
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed%s%s\n", file, line, function, expr, msg ? ": " : "",
                 msg ? msg : "");
    std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
    assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
