#include "api/exec_stream.hpp"

#include <boost/beast/websocket/error.hpp>

#include <algorithm>
#include <array>

namespace backend_kubernetes::api {

namespace websocket = boost::beast::websocket;

namespace {

constexpr unsigned char kStdinChannel = 0;
constexpr unsigned char kStdoutChannel = 1;
constexpr unsigned char kStderrChannel = 2;
constexpr unsigned char kStatusChannel = 3;
constexpr unsigned char kResizeChannel = 4;
constexpr unsigned char kCloseChannel = 255;  // v5: [255, channel] closes that channel

// Beast masks a client's payload into a buffer of this size before each
// socket write; larger than its 4 KiB default so a 32 KiB stdin message
// takes few writes.
constexpr size_t kWriteBuffer = 32 * 1024;

}  // namespace

template <class F, class... Args>
auto ExecStream::call(F& callback, Args&&... args) {
    struct Depth {
        ExecStream& self;
        explicit Depth(ExecStream& s) : self(s) { ++self.in_callback_; }
        ~Depth() {
            if (--self.in_callback_ == 0 && self.ended_) self.callbacks_ = Callbacks();
        }
    } depth(*this);
    return callback(std::forward<Args>(args)...);
}

// The open in progress: owns the stream until `opened` hands it over.
struct ExecStream::Opening {
    std::shared_ptr<ExecStream> stream;
    Opened opened;
    csh::sdk::Timer deadline;
    bool done = false;

    void fail(int http_status, const std::string& error) {
        if (done) return;
        done = true;
        deadline.cancel();
        auto callback = std::move(opened);
        if (auto s = std::exchange(stream, nullptr)) s->close();
        if (callback) callback(nullptr, http_status, error);
    }

    void succeed(std::string protocol) {
        if (done) return;
        done = true;
        deadline.cancel();
        auto callback = std::move(opened);
        auto s = std::exchange(stream, nullptr);
        s->protocol_ = std::move(protocol);
        if (callback) callback(s, 101, {});
        s->read_next();
        s->drive_soon();
    }
};

void ExecStream::open(const csh::sdk::Host& host, csh_strand* strand,
                      std::shared_ptr<const csh::loop_http::Connector> connector, ExecRequest request,
                      Callbacks callbacks, Opened opened) {
    auto opening = std::make_shared<Opening>();
    opening->stream.reset(new ExecStream(host, strand, request, std::move(callbacks)));
    opening->opened = std::move(opened);
    std::weak_ptr<Opening> weak = opening;
    const std::string late = "no WebSocket handshake within " + std::to_string(request.timeout.count()) + " ms for " +
                             request.target;
    opening->deadline = host.timer_start(strand, request.timeout, [weak, late] {
        if (auto o = weak.lock()) o->fail(0, late);
    });

    HandshakeRequest handshake;
    handshake.host = connector->endpoint().host_header();
    handshake.target = std::move(request.target);
    handshake.headers = std::move(request.headers);
    handshake.subprotocols = {std::string(kProtocolV5), std::string(kProtocolV4)};
    connector->connect(strand, [opening, host, strand, handshake = std::move(handshake)](
                                   std::unique_ptr<csh::loop_http::ByteStream> byte_stream, std::string error) mutable {
        if (opening->done) return;
        if (!byte_stream) return opening->fail(0, error + " (for " + handshake.target + ")");
        ExecStream& s = *opening->stream;
        s.socket_ = LoopWebSocket::start(host, strand, std::move(byte_stream));
        LoopWebSocket::Stream& ws = s.socket_->ws();
        ws.binary(true);
        ws.auto_fragment(false);  // one frame per message: the servers read whole messages
        ws.write_buffer_bytes(kWriteBuffer);
        ws.read_message_max(kMessageMax);
        s.socket_->handshake(std::move(handshake), [opening](HandshakeResult result) {
            if (!result.error.empty()) return opening->fail(result.http_status, result.error);
            opening->succeed(std::move(result.subprotocol));
        });
        // Keep the socket alive while this drive runs: fail() inside it
        // drops the stream.
        auto socket = s.socket_;
        socket->drive();
    });
}

ExecStream::ExecStream(const csh::sdk::Host& host, csh_strand* strand, const ExecRequest& request,
                       Callbacks callbacks)
    : host_(host), strand_(strand), target_(request.target), tty_(request.tty), callbacks_(std::move(callbacks)) {}

ExecStream::~ExecStream() {
    if (socket_) socket_->shutdown();
}

// ------------------------------------------------------------------ output

void ExecStream::read_next() {
    if (ended_ || reading_ || !socket_) return;
    reading_ = true;
    message_.clear();
    // A rare large message should not pin its memory for the session.
    if (message_.capacity() > 1u << 20) message_.shrink_to_fit();
    message_offset_ = 0;
    std::weak_ptr<ExecStream> weak = weak_from_this();
    socket_->ws().async_read(message_, [weak](error_code ec, size_t) {
        if (auto s = weak.lock()) s->on_message(ec);
    });
}

void ExecStream::on_message(error_code ec) {
    reading_ = false;
    if (ended_) return;
    if (ec) return finish(ec);
    if (!socket_->ws().got_binary()) {
        // Every remote-command protocol we offer carries binary messages
        // only (text is for the base64 variants, which we do not offer).
        ExecEnd end;
        end.error = "the API server sent a text message on the stream of " + target_ + " (" + protocol_ +
                    " carries binary messages only)";
        return end_with(std::move(end));
    }
    const auto* bytes = static_cast<const unsigned char*>(message_.data().data());
    const size_t size = message_.size();
    if (size == 0) return read_next();  // no channel byte: nothing to deliver
    switch (bytes[0]) {
        case kStdoutChannel:
        case kStderrChannel:
            message_stream_ = bytes[0] == kStdoutChannel ? CSH_STREAM_STDOUT : CSH_STREAM_STDERR;
            message_offset_ = 1;
            if (deliver()) read_next();
            return;
        case kStatusChannel:
            if (status_.size() + size - 1 > kStatusMax) {
                status_too_long_ = true;
            } else {
                status_.append(reinterpret_cast<const char*>(bytes) + 1, size - 1);
            }
            return read_next();
        default:
            // Unknown channels are skipped, as Kubernetes' own client does.
            return read_next();
    }
}

// Offers the rest of the current message; true when all of it was taken.
bool ExecStream::deliver() {
    if (delivering_) {
        // resume_output() from inside the output callback: the loop below
        // offers again instead of stopping at this short take.
        resume_asked_ = true;
        return false;
    }
    delivering_ = true;
    bool all = true;
    while (message_offset_ < message_.size()) {
        resume_asked_ = false;
        const std::string_view rest(static_cast<const char*>(message_.data().data()) + message_offset_,
                                    message_.size() - message_offset_);
        const size_t taken =
            callbacks_.output ? std::min(call(callbacks_.output, message_stream_, rest), rest.size()) : rest.size();
        if (ended_) {
            all = false;
            break;
        }
        message_offset_ += taken;
        if (taken < rest.size() && !resume_asked_) {
            all = false;
            break;
        }
    }
    delivering_ = false;
    if (all) {
        message_.clear();
        message_offset_ = 0;
    }
    return all;
}

void ExecStream::resume_output() {
    if (ended_ || reading_ || delivering_) {
        if (delivering_) resume_asked_ = true;
        return;
    }
    auto keep = shared_from_this();
    if (message_offset_ < message_.size() && !deliver()) return;
    if (ended_) return;
    read_next();
    if (socket_) socket_->drive();
}

void ExecStream::finish(error_code ec) {
    if (!status_.empty() || status_too_long_) {
        // The Status came; how the connection ended after it does not matter.
        ExecEnd end;
        if (status_too_long_) {
            end.error = "the exit status of " + target_ + " is longer than " + std::to_string(kStatusMax) + " bytes";
        } else {
            end = parse_exec_status(status_);
        }
        return end_with(std::move(end));
    }
    ExecEnd end;
    if (ec == websocket::error::closed) {
        const auto& reason = socket_->ws().reason();
        end.error = "the API server closed the stream of " + target_ + " without an exit status (close code " +
                    std::to_string(reason.code) + (reason.reason.empty() ? "" : ": " + std::string(reason.reason.data(), reason.reason.size())) +
                    ")";
    } else if (ec == net::error::eof) {
        end.error = "the connection of the stream of " + target_ +
                    " ended without an exit status or a WebSocket close";
    } else {
        end.error = "the stream of " + target_ + " ended without an exit status: " + socket_->describe(ec);
    }
    end_with(std::move(end));
}

void ExecStream::end_with(ExecEnd end) {
    if (ended_) return;
    ended_ = true;
    auto callback = std::move(callbacks_.ended);
    if (in_callback_ == 0) callbacks_ = Callbacks();
    if (socket_) socket_->shutdown();
    if (callback) callback(end);
}

void ExecStream::close() {
    ended_ = true;
    if (in_callback_ == 0) callbacks_ = Callbacks();
    input_.clear();
    input_queued_ = 0;
    if (socket_) socket_->shutdown();
}

// ------------------------------------------------------------------- input

size_t ExecStream::write_input(std::string_view data) {
    // Nowhere to go: drop rather than stall the channel.
    if (ended_ || input_closing_ || input_failed_ || !socket_) return data.size();
    const size_t take = std::min(kInputLimit - std::min(kInputLimit, input_queued_), data.size());
    size_t done = 0;
    while (done < take) {
        // The chunk in flight is Beast's until its write completed.
        const bool front_busy = writing_ == Writing::input && input_.size() == 1;
        if (input_.empty() || front_busy || input_.back().size() >= kInputChunk) {
            input_.emplace_back();
            input_.back().reserve(std::min(kInputChunk, take - done));
        }
        std::string& back = input_.back();
        const size_t piece = std::min(kInputChunk - back.size(), take - done);
        back.append(data.substr(done, piece));
        done += piece;
    }
    input_queued_ += take;
    if (take < data.size()) input_refused_ = true;
    pump_writes();
    return take;
}

bool ExecStream::close_input() {
    if (protocol_ != kProtocolV5) return false;
    if (ended_ || input_closing_ || input_failed_) return true;
    input_closing_ = true;
    pump_writes();
    return true;
}

void ExecStream::resize(uint16_t cols, uint16_t rows) {
    if (!tty_ || ended_ || input_failed_) return;
    std::string message(1, static_cast<char>(kResizeChannel));
    message += "{\"Width\":" + std::to_string(cols) + ",\"Height\":" + std::to_string(rows) + "}";
    resize_ = std::move(message);
    pump_writes();
}

// Starts the next write when none is in flight: a waiting resize first (it
// is small and the user sees its effect), then input, then v5's close of
// stdin once all input is out.
void ExecStream::pump_writes() {
    if (writing_ != Writing::nothing || ended_ || input_failed_ || !socket_) return;
    std::array<net::const_buffer, 2> buffers;
    if (resize_) {
        control_in_flight_ = std::move(*resize_);
        resize_.reset();
        writing_ = Writing::control;
        buffers = {net::buffer(control_in_flight_), net::const_buffer()};
    } else if (!input_.empty()) {
        // The channel byte and the chunk go as two buffers of one message:
        // the chunk is not copied to put the byte in front of it.
        writing_ = Writing::input;
        buffers = {net::buffer(&kStdinChannel, 1), net::buffer(input_.front())};
    } else if (input_closing_ && !input_close_sent_) {
        control_in_flight_ = {static_cast<char>(kCloseChannel), static_cast<char>(kStdinChannel)};
        writing_ = Writing::close;
        buffers = {net::buffer(control_in_flight_), net::const_buffer()};
    } else {
        return;
    }
    std::weak_ptr<ExecStream> weak = weak_from_this();
    socket_->ws().async_write(buffers, [weak](error_code ec, size_t) {
        if (auto s = weak.lock()) s->on_written(ec);
    });
    drive_soon();
}

void ExecStream::on_written(error_code ec) {
    const Writing wrote = std::exchange(writing_, Writing::nothing);
    if (ended_) return;
    if (ec) {
        // The program's input is gone (it exited, or the connection broke);
        // its output and end are still read.
        input_failed_ = true;
        input_.clear();
        input_queued_ = 0;
        if (callbacks_.input_failed) {
            call(callbacks_.input_failed, wrote == Writing::close,
                 "writing input to " + target_ + " failed: " + socket_->describe(ec));
        }
        return;
    }
    if (wrote == Writing::input) {
        input_queued_ -= input_.front().size();
        input_.pop_front();
    } else if (wrote == Writing::close) {
        input_close_sent_ = true;
    }
    if (input_refused_ && input_queued_ <= kInputResume) {
        input_refused_ = false;
        if (callbacks_.input_ready) call(callbacks_.input_ready);
        if (ended_) return;
    }
    pump_writes();
}

// ------------------------------------------------------------------ helpers

// Runs the socket from a post rather than here: write_input() and friends
// are called by the channel, which must not be called back from inside.
void ExecStream::drive_soon() {
    if (drive_posted_ || !socket_) return;
    drive_posted_ = true;
    std::weak_ptr<ExecStream> weak = weak_from_this();
    host_.post(strand_, [weak] {
        auto s = weak.lock();
        if (!s) return;
        s->drive_posted_ = false;
        if (!s->ended_ && s->socket_) {
            auto socket = s->socket_;
            socket->drive();
        }
    });
}

}  // namespace backend_kubernetes::api
