#include <csh/loop_http/http_call.hpp>

#include <csh/loop_http/response_reader.hpp>

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace csh::loop_http {

struct HttpCall::State {
    csh::sdk::Host host;
    csh_strand* strand = nullptr;
    std::shared_ptr<const Connector> connector;
    HttpRequest request;
    Done done;

    std::unique_ptr<ByteStream> stream;
    csh::sdk::FdWatch watch;
    csh::sdk::Timer deadline;
    std::string outgoing;
    size_t sent = 0;
    std::optional<ResponseReader> reader;
    size_t body_reported = 0;
    bool finished = false;
};

namespace {

std::string serialize(const HttpRequest& request, const std::string& host_header) {
    std::string out = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + host_header +
                      "\r\nUser-Agent: ContainerSSH\r\n";
    if (!request.upgrade.empty()) {
        out += "Connection: Upgrade\r\nUpgrade: " + request.upgrade + "\r\n";
    } else {
        out += "Connection: close\r\n";
    }
    for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
    if (!request.body.empty()) out += "Content-Type: application/json\r\n";
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace

std::shared_ptr<HttpCall> HttpCall::start(const csh::sdk::Host& host, csh_strand* strand,
                                          std::shared_ptr<const Connector> connector, HttpRequest request,
                                          Done done) {
    auto state = std::make_unique<State>();
    state->host = host;
    state->strand = strand;
    state->connector = std::move(connector);
    state->request = std::move(request);
    state->done = std::move(done);
    std::shared_ptr<HttpCall> call(new HttpCall(std::move(state)));
    State& s = *call->state_;
    s.outgoing = serialize(s.request, s.connector->endpoint().host_header());
    s.reader.emplace(s.request.body_limit, !s.request.upgrade.empty());

    std::weak_ptr<HttpCall> weak = call;
    auto keep = call;  // the call lives until it finishes or is cancelled
    s.deadline = host.timer_start(strand, s.request.timeout, [keep] {
        keep->state_->deadline = csh::sdk::Timer();
        if (keep->state_->finished) return;
        keep->state_->finished = true;
        keep->state_->watch.stop();
        auto callback = std::move(keep->state_->done);
        if (callback) {
            callback({}, "no answer within " + std::to_string(keep->state_->request.timeout.count()) +
                             " ms (" + keep->state_->request.method + " " + keep->state_->request.target + ")");
        }
    });
    s.connector->connect(strand, [weak](std::unique_ptr<ByteStream> stream, std::string error) {
        auto self = weak.lock();
        if (!self || self->state_->finished) return;
        if (!stream) {
            self->state_->finished = true;
            self->state_->deadline.cancel();
            auto callback = std::move(self->state_->done);
            if (callback) callback({}, error);
            return;
        }
        State& st = *self->state_;
        st.stream = std::move(stream);
        st.watch = st.host.fd_watch_start(st.strand, st.stream->fd(), st.stream->write_waits_for(),
                                          [self](uint32_t) { self->pump(); });
    });
    return call;
}

HttpCall::HttpCall(std::unique_ptr<State> state) : state_(std::move(state)) {}

HttpCall::~HttpCall() = default;

void HttpCall::pump() {
    if (state_->finished) return;
    if (!send_request()) return;
    receive_response();
}

// Writes what is left of the request; false while it is not all out (the
// watch then waits for the socket) or after a failure.
bool HttpCall::send_request() {
    State& s = *state_;
    while (s.sent < s.outgoing.size()) {
        const IoResult r = s.stream->write(s.outgoing.data() + s.sent, s.outgoing.size() - s.sent);
        if (r.status == IoResult::Status::ok) {
            s.sent += r.bytes;
            continue;
        }
        if (r.status == IoResult::Status::would_block) {
            s.watch.update(s.stream->write_waits_for());
            return false;
        }
        finish({}, "sending " + s.request.method + " " + s.request.target + " failed: " +
                       (r.error.empty() ? std::string("connection closed") : r.error));
        return false;
    }
    return true;
}

void HttpCall::receive_response() {
    State& s = *state_;
    char buffer[65536];
    for (;;) {
        const IoResult r = s.stream->read(buffer, sizeof buffer);
        if (r.status == IoResult::Status::would_block) {
            s.watch.update(s.stream->read_waits_for());
            return;
        }
        if (r.status == IoResult::Status::error) {
            return finish({}, "reading the answer to " + s.request.method + " " + s.request.target +
                                  " failed: " + r.error);
        }
        const ResponseReader::Outcome outcome = r.status == IoResult::Status::eof
                                                    ? s.reader->end_of_stream()
                                                    : s.reader->feed(std::string_view(buffer, r.bytes));
        if (outcome == ResponseReader::Outcome::failed) {
            if (s.reader->closed_early()) {
                return finish({}, "the server closed the connection without answering " + s.request.method + " " +
                                      s.request.target);
            }
            return finish({}, "the answer to " + s.request.method + " " + s.request.target +
                                  " is not valid HTTP: " + s.reader->error());
        }
        if (s.request.on_body && s.reader->header_done()) {
            const std::string& body = s.reader->body();
            if (body.size() > s.body_reported) {
                s.request.on_body(std::string_view(body).substr(s.body_reported));
                s.body_reported = body.size();
                if (s.finished) return;
            }
        }
        if (outcome == ResponseReader::Outcome::upgraded) {
            HttpResponse response;
            response.status = 101;
            s.watch.stop();
            response.stream = std::move(s.stream);
            response.leftover = std::move(s.reader->leftover());
            return finish(std::move(response), {});
        }
        if (outcome == ResponseReader::Outcome::complete) {
            HttpResponse response;
            response.status = s.reader->status();
            response.body = std::move(s.reader->body());
            return finish(std::move(response), {});
        }
    }
}

bool HttpCall::close_once() {
    State& s = *state_;
    if (s.finished) return false;
    s.finished = true;
    s.watch.stop();
    s.deadline.cancel();
    s.stream.reset();
    return true;
}

void HttpCall::cancel() {
    if (!close_once()) return;
    state_->done = nullptr;
    state_->request.pending.reset();
}

void HttpCall::finish(HttpResponse response, std::string error) {
    if (!close_once()) return;
    auto callback = std::move(state_->done);
    auto pending = std::move(state_->request.pending);  // released after the callback
    if (callback) callback(std::move(response), std::move(error));
}

CallResult judge_answer(const std::string& what, const HttpResponse& response, const std::string& transport_error,
                        const std::vector<int>& accepted) {
    CallResult result;
    if (!transport_error.empty()) {
        result.error = what + ": " + transport_error;
        result.unreachable = true;
        return result;
    }
    result.status = response.status;
    if (std::find(accepted.begin(), accepted.end(), response.status) != accepted.end()) return result;
    result.error = what + ": " + json_error_message(response.body) + " (HTTP " + std::to_string(response.status) + ")";
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view reason;
    if (parser.parse(response.body.data(), response.body.size()).get(root) == simdjson::SUCCESS &&
        root["reason"].get_string().get(reason) == simdjson::SUCCESS) {
        result.reason = std::string(reason);
    }
    return result;
}

std::string json_error_message(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view message;
    if (parser.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS &&
        root["message"].get_string().get(message) == simdjson::SUCCESS) {
        return std::string(message);
    }
    std::string text(body.substr(0, 200));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text.empty() ? std::string("(no message)") : text;
}

std::string query_escape(std::string_view value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace csh::loop_http
