// The program's standard streams once the engine upgraded an exec start or a
// container attach: output flows to the SSH channel, input from it, both with
// back-pressure. Output is read only when the channel took everything read
// before, so a slow client slows the program instead of filling memory; input
// is buffered up to a bound, beyond which the channel's window stays closed.
// Input goes from the channel's buffer straight to the socket while the engine
// keeps up; only what the socket cannot take yet is copied and kept.
#pragma once

#include "engine/stream_demuxer.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/loop_http/byte_stream.hpp>
#include <csh/loop_http/http_call.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace backend_docker {

class AttachedStream : public std::enable_shared_from_this<AttachedStream> {
public:
    struct Callbacks {
        // Offers output; returns how much was taken. After a short take the
        // stream waits for resume_output().
        std::function<size_t(csh_stream, std::string_view)> output;
        // Input was refused earlier and there is room again.
        std::function<void()> input_ready;
        // The engine ended the stream (error empty) or it failed; all output
        // read before was delivered. Called once.
        std::function<void(const std::string& error)> ended;
        // Writing input (closing=false) or ending it (closing=true) failed;
        // later input is dropped, output goes on.
        std::function<void(bool closing, const std::string& error)> input_failed;
    };

    // Input waiting for the engine socket, at most; beyond it the channel's
    // window stays closed. A refused writer hears of room once the queue fell
    // to kInputResume, not only once it is empty, so that the client's next
    // bytes travel while the engine still drains these: waiting for empty
    // would make the client and the engine take turns.
    static constexpr size_t kInputLimit = 256 * 1024;
    static constexpr size_t kInputResume = kInputLimit / 2;

    // [strand] Takes over an upgraded response. `demultiplex` is true for
    // non-TTY streams (stdout/stderr frames).
    static std::shared_ptr<AttachedStream> start(const csh::sdk::Host& host, csh_strand* strand,
                                                 csh::loop_http::HttpResponse upgraded, bool demultiplex, Callbacks callbacks);

    // [strand] Input for the program; returns how many bytes were taken.
    size_t write_input(std::string_view data);
    // [strand] No more input: the write side is closed once the buffer is out.
    void close_input();
    // [strand] The channel can take output again.
    void resume_output();
    // [strand] Drops the connection to the engine; no callback runs after.
    void close();

    bool input_closed() const { return input_closed_; }

private:
    AttachedStream(const csh::sdk::Host& host, csh::loop_http::HttpResponse upgraded, bool demultiplex,
                   Callbacks callbacks);
    void on_io();
    void read_output();
    bool deliver();
    // Writes buffered input; false once the input side failed. `notify`
    // announces room to a refused writer.
    bool flush_input(bool notify);
    void update_interest();
    void end(const std::string& error);
    void accept_raw(std::string_view data);
    void fail_input(const std::string& error);
    size_t input_queued() const { return input_.size() - input_sent_; }

    csh::sdk::Host host_;
    std::unique_ptr<csh::loop_http::ByteStream> stream_;
    csh::sdk::FdWatch watch_;
    bool demultiplex_;
    StreamDemuxer demuxer_;
    Callbacks callbacks_;

    std::deque<std::pair<csh_stream, std::string>> pending_output_;
    // Input not written yet is input_[input_sent_..]: written bytes are
    // dropped from the front only now and then, not after every write.
    std::string input_;
    size_t input_sent_ = 0;
    bool input_refused_ = false;
    bool input_closed_ = false;
    bool write_shut_ = false;
    bool engine_eof_ = false;
    bool ended_ = false;
    std::string failure_;
};

}  // namespace backend_docker
