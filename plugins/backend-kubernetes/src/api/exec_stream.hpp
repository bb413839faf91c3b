// A pod's exec or attach stream: the Kubernetes remote-command protocol over
// a WebSocket (v5.channel.k8s.io, falling back to v4.channel.k8s.io). Every
// message is binary and starts with its channel: 0 stdin, 1 stdout,
// 2 stderr, 3 the final Status, 4 terminal resizes; v5 adds [255, channel]
// to close one (we close stdin with it).
//
// Back-pressure as in the Docker backend's AttachedStream: one WebSocket
// message is read at a time, and the next only once the channel took all of
// the one before, so a slow SSH client slows the program and memory stays
// bounded (one message, at most kMessageMax; the API server sends 32 KiB
// messages or less in practice). Input is buffered up to kInputLimit, beyond
// which the channel's window stays closed; room is announced at half.
#pragma once

#include "api/exec_status.hpp"
#include "api/loop_websocket.hpp"

#include <containerssh/plugin/backend.h>
#include <containerssh/sdk/host.hpp>
#include <csh/loop_http/connector.hpp>

#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backend_kubernetes::api {

inline constexpr std::string_view kProtocolV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kProtocolV4 = "v4.channel.k8s.io";

struct ExecRequest {
    // "/api/v1/namespaces/ns/pods/p/exec?command=a&command=b&container=c&stdin=true&stdout=true&stderr=true&tty=false"
    // or ".../attach?...". Named in error texts.
    std::string target;
    // Authorization and the like; never named in an error text.
    std::vector<std::pair<std::string, std::string>> headers;
    // The deadline of the connect and the WebSocket handshake together.
    std::chrono::milliseconds timeout{15000};
    // The target asks for a terminal: resize() sends on channel 4 (without
    // one the server has no resize channel and the call does nothing).
    bool tty = false;
};

class ExecStream : public std::enable_shared_from_this<ExecStream> {
public:
    struct Callbacks {
        // Offers output (stdout or stderr); returns how much was taken. After
        // a short take the stream waits for resume_output().
        std::function<size_t(csh_stream, std::string_view)> output;
        // Input was refused earlier and there is room again.
        std::function<void()> input_ready;
        // How the program ended (or that the stream failed); all output read
        // before was delivered. Called once; nothing is called after.
        std::function<void(const ExecEnd&)> ended;
        // Writing input (closing=false) or ending it (closing=true) failed;
        // later input is dropped, output goes on.
        std::function<void(bool closing, const std::string& error)> input_failed;
    };

    // The stream, or nullptr with the HTTP status of a refusal (0 when the
    // server never answered one) and an error text naming the target.
    using Opened = std::function<void(std::shared_ptr<ExecStream> stream, int http_status, const std::string& error)>;

    static constexpr size_t kInputLimit = 256 * 1024;
    static constexpr size_t kInputResume = kInputLimit / 2;
    // Input bytes per stdin message.
    static constexpr size_t kInputChunk = 32 * 1024;
    // The largest message accepted from the server.
    static constexpr size_t kMessageMax = 16u << 20;
    // The Status on channel 3 is small; more than this is not a Status.
    static constexpr size_t kStatusMax = 64 * 1024;

    // [strand] Connects, does the WebSocket handshake offering v5 then v4;
    // `opened` runs once, on `strand`. Output flows once `opened` returned.
    static void open(const csh::sdk::Host& host, csh_strand* strand,
                     std::shared_ptr<const csh::loop_http::Connector> connector, ExecRequest request,
                     Callbacks callbacks, Opened opened);
    ~ExecStream();

    // [strand] Input for the program (channel 0); returns how many bytes were
    // taken. Never calls back from inside.
    size_t write_input(std::string_view data);
    // [strand] No more input. Over v5 the close message [255, 0] follows the
    // buffered input and the program sees the end of its stdin: returns true.
    // v4 has no way to end stdin but closing the whole stream: nothing is
    // sent, the program keeps waiting on an open stdin (a `cat` runs on until
    // it is killed or the session closes), and this returns false so the
    // caller can decide (close() the stream, or leave the program be).
    bool close_input();
    // [strand] The terminal's size changed (channel 4). While a resize waits
    // behind a full socket, a newer one replaces it.
    void resize(uint16_t cols, uint16_t rows);
    // [strand] The channel can take output again.
    void resume_output();
    // [strand] Drops the connection; no callback runs after.
    void close();

    // The negotiated subprotocol (kProtocolV5 or kProtocolV4).
    std::string_view protocol() const { return protocol_; }
    // Output read but not yet taken plus input not yet sent, for tests of
    // the bounds.
    size_t buffered() const { return message_.size() + input_queued_; }

private:
    struct Opening;
    ExecStream(const csh::sdk::Host& host, csh_strand* strand, const ExecRequest& request, Callbacks callbacks);
    void on_message(error_code ec);
    bool deliver();
    void read_next();
    void pump_writes();
    void on_written(error_code ec);
    void end_with(ExecEnd end);
    void finish(error_code ec);
    void drive_soon();
    // Calls one of the callbacks. They may close() the stream from inside:
    // the callbacks are then dropped once the outermost call returned, never
    // while one of them runs.
    template <class F, class... Args>
    auto call(F& callback, Args&&... args);

    csh::sdk::Host host_;
    csh_strand* strand_;
    std::string target_;
    bool tty_;
    Callbacks callbacks_;
    std::shared_ptr<LoopWebSocket> socket_;
    std::string protocol_;

    // The message being delivered: its payload from message_offset_ on.
    boost::beast::flat_buffer message_;
    size_t message_offset_ = 0;
    csh_stream message_stream_ = CSH_STREAM_STDOUT;
    bool reading_ = false;
    std::string status_;
    bool status_too_long_ = false;

    // Input not yet sent, in chunks of at most kInputChunk; the front chunk
    // is in flight while writing_ (Beast holds a view of it) and is neither
    // changed nor moved until its write completed.
    std::deque<std::string> input_;
    size_t input_queued_ = 0;
    bool input_refused_ = false;
    bool input_closing_ = false;
    bool input_close_sent_ = false;
    bool input_failed_ = false;
    std::optional<std::string> resize_;
    // What the write in flight carries.
    enum class Writing { nothing, input, control, close } writing_ = Writing::nothing;
    std::string control_in_flight_;
    bool drive_posted_ = false;
    bool delivering_ = false;
    bool resume_asked_ = false;
    int in_callback_ = 0;

    bool ended_ = false;
};

}  // namespace backend_kubernetes::api
