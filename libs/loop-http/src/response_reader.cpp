#include <csh/loop_http/response_reader.hpp>

namespace csh::loop_http {

namespace http = boost::beast::http;

ResponseReader::ResponseReader(size_t body_limit, bool upgrade) : upgrade_(upgrade) {
    parser_.body_limit(body_limit);
    parser_.eager(true);
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
        if (upgrade_ && parser_.is_header_done()) break;
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
