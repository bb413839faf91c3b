#include <csh/loop_http/response_reader.hpp>

namespace csh::loop_http {

namespace http = boost::beast::http;

// The header is parsed on its own (eager off) and the body eagerly after it.
// Boost.Beast 1.74 checks Content-Length against the body limit when the
// header ends, but in eager mode put() goes on into the body in the same
// call and drops that error: the string body then reserves the announced
// length, so "Content-Length: 2425315106" allocated 2.4 GB whatever the limit
// (found by fuzz/http_response_fuzz.cpp; regression input
// fuzz/corpus/http_response/regression-content-length-over-limit).
ResponseReader::ResponseReader(size_t body_limit, bool upgrade) : upgrade_(upgrade) {
    parser_.body_limit(body_limit);
    parser_.eager(false);
}

ResponseReader::Outcome ResponseReader::settle(Outcome outcome) {
    if (outcome != Outcome::need_more) final_ = outcome;
    return outcome;
}

ResponseReader::Outcome ResponseReader::feed(std::string_view bytes) {
    if (final_) return *final_;
    boost::beast::error_code ec;
    incoming_.append(bytes);
    while (!incoming_.empty() && !parser_.is_done()) {
        const size_t used = parser_.put(boost::asio::buffer(incoming_), ec);
        incoming_.erase(0, used);
        if (ec == http::error::need_more) {
            ec = {};
            break;
        }
        if (ec) break;
        // The header passed its checks: the body may come in one go. (A 101
        // leaves the loop as a complete message, its stream in incoming_.)
        if (parser_.is_header_done()) parser_.eager(true);
    }
    if (ec) {
        error_ = ec.message();
        return settle(Outcome::failed);
    }
    if (upgrade_ && parser_.is_header_done() && parser_.get().result_int() == 101) return settle(Outcome::upgraded);
    if (parser_.is_done()) return settle(Outcome::complete);
    return Outcome::need_more;
}

ResponseReader::Outcome ResponseReader::end_of_stream() {
    if (final_) return *final_;
    if (!parser_.is_header_done()) {
        closed_early_ = true;
        error_ = "closed without answering";
        return settle(Outcome::failed);
    }
    boost::beast::error_code ec;
    parser_.put_eof(ec);
    if (ec) {
        error_ = ec.message();
        return settle(Outcome::failed);
    }
    if (upgrade_ && parser_.get().result_int() == 101) return settle(Outcome::upgraded);
    return settle(Outcome::complete);
}

}  // namespace csh::loop_http
