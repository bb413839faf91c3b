#include "engine/attached_stream.hpp"

#include <algorithm>

namespace backend_docker {

std::shared_ptr<AttachedStream> AttachedStream::start(const csh::sdk::Host& host, csh_strand* strand,
                                                      csh::loop_http::HttpResponse upgraded, bool demultiplex,
                                                      Callbacks callbacks) {
    std::shared_ptr<AttachedStream> self(
        new AttachedStream(host, std::move(upgraded), demultiplex, std::move(callbacks)));
    std::weak_ptr<AttachedStream> weak = self;
    self->watch_ = host.fd_watch_start(strand, self->stream_->fd(), self->stream_->read_waits_for(),
                                       [weak](uint32_t) {
                                           if (auto s = weak.lock()) s->on_io();
                                       });
    // Bytes that came with the 101 header are the start of the output.
    host.post(strand, [weak] {
        if (auto s = weak.lock()) s->on_io();
    });
    return self;
}

AttachedStream::AttachedStream(const csh::sdk::Host& host, csh::loop_http::HttpResponse upgraded, bool demultiplex,
                               Callbacks callbacks)
    : host_(host),
      stream_(std::move(upgraded.stream)),
      demultiplex_(demultiplex),
      callbacks_(std::move(callbacks)) {
    if (!upgraded.leftover.empty()) accept_raw(upgraded.leftover);
}

size_t AttachedStream::write_input(std::string_view data) {
    if (ended_ || input_closed_ || !stream_) return data.size();  // nowhere to go: drop, don't stall the channel
    // Never calls back into the channel from here: the host is inside its
    // own stdin call. What does not fit is refused; on_io() announces room.
    size_t taken = 0;
    // A non-empty queue means the socket was full at the last write and its
    // writability is awaited: the queue goes first, and trying now would
    // only fail again. Otherwise write the channel's bytes as they are.
    while (input_queued() == 0 && taken < data.size()) {
        // At most kInputLimit at once, so that what a blocked write leaves
        // behind fits the queue whole: TLS retries with the same bytes.
        const csh::loop_http::IoResult r = stream_->write(data.data() + taken, std::min(data.size() - taken, kInputLimit));
        if (r.status == csh::loop_http::IoResult::Status::would_block) break;
        if (r.status != csh::loop_http::IoResult::Status::ok) {
            fail_input(r.error);
            return data.size();
        }
        taken += r.bytes;
    }
    const size_t take = std::min(kInputLimit - std::min(kInputLimit, input_queued()), data.size() - taken);
    if (take > 0) {
        // Drop the written front before the queue grows, once it is at
        // least as long as what is left: each byte moves at most once.
        if (input_sent_ > 0 && input_sent_ >= input_queued()) {
            input_.erase(0, input_sent_);
            input_sent_ = 0;
        }
        input_.append(data.substr(taken, take));
        taken += take;
    }
    if (taken < data.size()) input_refused_ = true;
    update_interest();
    return taken;
}

void AttachedStream::close_input() {
    if (input_closed_) return;
    input_closed_ = true;
    flush_input(false);
    update_interest();
}

void AttachedStream::resume_output() {
    if (ended_) return;
    if (deliver()) {
        if (engine_eof_) return end(failure_);
        update_interest();
        on_io();
    }
}

void AttachedStream::close() {
    ended_ = true;
    watch_.stop();
    stream_.reset();
    callbacks_ = Callbacks();
}

void AttachedStream::on_io() {
    if (ended_ || !stream_) return;
    auto keep = shared_from_this();
    flush_input(true);
    if (ended_) return;
    // Output queued before goes first (the bytes that came with the upgrade
    // are queued by the constructor, which calls nobody back).
    if (deliver() && engine_eof_) return end(failure_);
    if (ended_) return;
    if (pending_output_.empty() && !engine_eof_) read_output();
    if (ended_) return;
    update_interest();
}

void AttachedStream::read_output() {
    char buffer[65536];
    // One buffer per wake-up: the channel gets a chance to push back.
    const csh::loop_http::IoResult r = stream_->read(buffer, sizeof buffer);
    switch (r.status) {
        case csh::loop_http::IoResult::Status::ok:
            accept_raw(std::string_view(buffer, r.bytes));
            break;
        case csh::loop_http::IoResult::Status::would_block:
            return;
        case csh::loop_http::IoResult::Status::eof:
            engine_eof_ = true;
            if (demultiplex_ && !demuxer_.at_frame_boundary()) failure_ = "the engine ended the stream inside a frame";
            break;
        case csh::loop_http::IoResult::Status::error:
            engine_eof_ = true;
            failure_ = r.error;
            break;
    }
    if (deliver() && engine_eof_) end(failure_);
}

void AttachedStream::accept_raw(std::string_view data) {
    // Queued first, offered by deliver(): the frames of one read reach the
    // channel as one piece per stream, not one SSH packet per frame piece.
    auto queue = [this](csh_stream stream, std::string_view payload) {
        if (!pending_output_.empty() && pending_output_.back().first == stream) {
            pending_output_.back().second.append(payload);
        } else {
            pending_output_.emplace_back(stream, std::string(payload));
        }
    };
    if (!demultiplex_) {
        queue(CSH_STREAM_STDOUT, data);
        return;
    }
    if (!demuxer_.feed(data, queue)) {
        engine_eof_ = true;
        failure_ = "the engine sent a malformed stream frame";
    }
}

// Offers queued output to the channel; true when everything was taken.
bool AttachedStream::deliver() {
    while (!pending_output_.empty()) {
        auto& [stream, data] = pending_output_.front();
        const size_t taken = callbacks_.output ? callbacks_.output(stream, data) : data.size();
        if (ended_) return false;
        if (taken < data.size()) {
            data.erase(0, taken);
            return false;
        }
        pending_output_.pop_front();
    }
    return true;
}

bool AttachedStream::flush_input(bool notify) {
    while (input_queued() > 0) {
        const csh::loop_http::IoResult r = stream_->write(input_.data() + input_sent_, input_queued());
        if (r.status == csh::loop_http::IoResult::Status::ok) {
            input_sent_ += r.bytes;
            continue;
        }
        if (r.status == csh::loop_http::IoResult::Status::would_block) break;
        fail_input(r.error);
        return false;
    }
    if (input_queued() == 0) {
        input_.clear();  // keeps its capacity for the next time the socket is full
        input_sent_ = 0;
    }
    if (notify && input_refused_ && input_queued() <= kInputResume) {
        input_refused_ = false;
        if (callbacks_.input_ready) callbacks_.input_ready();
        if (ended_) return false;
    }
    if (input_closed_ && !write_shut_ && input_queued() == 0) {
        const csh::loop_http::IoResult r = stream_->shutdown_write();
        if (r.status != csh::loop_http::IoResult::Status::would_block) write_shut_ = true;
        if (r.status == csh::loop_http::IoResult::Status::error && callbacks_.input_failed) callbacks_.input_failed(true, r.error);
    }
    return true;
}

void AttachedStream::fail_input(const std::string& error) {
    // The program's input is gone (it exited or the engine dropped the
    // stream); its output and end are still read.
    input_.clear();
    input_sent_ = 0;
    input_closed_ = true;
    write_shut_ = true;
    if (callbacks_.input_failed) callbacks_.input_failed(false, error);
}

void AttachedStream::update_interest() {
    if (ended_ || !watch_.active()) return;
    uint32_t events = 0;
    if (pending_output_.empty() && !engine_eof_) events |= stream_->read_waits_for();
    if (input_queued() > 0 || (input_closed_ && !write_shut_)) events |= stream_->write_waits_for();
    watch_.update(events);
}

void AttachedStream::end(const std::string& error) {
    if (ended_) return;
    ended_ = true;
    watch_.stop();
    auto callback = std::move(callbacks_.ended);
    callbacks_ = Callbacks();
    stream_.reset();
    if (callback) callback(error);
}

}  // namespace backend_docker
