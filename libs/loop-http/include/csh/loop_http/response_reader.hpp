// Reading one HTTP/1.1 response from the bytes a connection delivers, with
// Boost.Beast's parser. This is the part of HttpCall that touches no socket:
// HttpCall feeds it what each read returns, and the fuzzer
// (fuzz/http_response_fuzz.cpp) feeds it bytes the same way.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace csh::loop_http {

class ResponseReader {
public:
    enum class Outcome {
        need_more,  // feed what the next read returns
        complete,   // status() and body() are the answer
        upgraded,   // "101" to an upgrade request: leftover() is the stream's first bytes
        failed,     // error() says why
    };

    // `upgrade`: the request asked for an upgrade, so reading stops at the
    // end of a 101 header.
    ResponseReader(size_t body_limit, bool upgrade);

    // What one read returned. After an outcome other than need_more the
    // reader keeps that outcome and takes no more bytes.
    Outcome feed(std::string_view bytes);
    // The server closed the connection.
    Outcome end_of_stream();

    bool header_done() const { return parser_.is_header_done(); }
    int status() const { return static_cast<int>(parser_.get().result_int()); }
    // The body so far (all of it once complete).
    const std::string& body() const { return parser_.get().body(); }
    std::string& body() { return parser_.get().body(); }
    // Bytes received after the header of a 101.
    std::string& leftover() { return incoming_; }
    // Why the outcome is failed: the server closed before a header
    // (closed_early()), or Beast's reason the bytes are not valid HTTP.
    const std::string& error() const { return error_; }
    bool closed_early() const { return closed_early_; }

private:
    Outcome settle(Outcome outcome);

    boost::beast::http::response_parser<boost::beast::http::string_body> parser_;
    bool upgrade_;
    std::string incoming_;
    std::optional<Outcome> final_;
    std::string error_;
    bool closed_early_ = false;
};

}  // namespace csh::loop_http
