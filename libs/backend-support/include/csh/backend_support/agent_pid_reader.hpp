// The process id the guest agent's `console --pid` writes before anything
// else on stdout: 4 bytes, little-endian, then the program's own output. The
// backends read it off the front of the stream to deliver signals later
// (`agent signal --pid N`).
//
// An image without the agent (or an agentPath that is wrong) answers with
// the runtime's error text instead; Linux PIDs stay below 2^22, so four
// bytes outside that range are not a PID but output for the user.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace csh::backend_support {

class AgentPidReader {
public:
    enum class State { reading, received, not_agent };

    // Takes what it needs of the stream's next stdout bytes; returns how many
    // it took. Once it returns with state() != reading the rest of `data`
    // (and everything after) is the program's output.
    size_t take(std::string_view data) {
        if (state_ != State::reading) return 0;
        const size_t n = std::min(data.size(), 4 - bytes_.size());
        bytes_.append(data.substr(0, n));
        if (bytes_.size() == 4) {
            const auto* b = reinterpret_cast<const unsigned char*>(bytes_.data());
            pid_ = uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
            if (pid_ == 0 || pid_ > (1u << 22)) {
                pid_ = 0;
                state_ = State::not_agent;
            } else {
                state_ = State::received;
            }
        }
        return n;
    }

    State state() const { return state_; }
    bool reading() const { return state_ == State::reading; }
    // The PID once received; 0 otherwise.
    uint32_t pid() const { return pid_; }
    // With State::not_agent: the four bytes read, which are output.
    const std::string& bytes() const { return bytes_; }

private:
    State state_ = State::reading;
    std::string bytes_;
    uint32_t pid_ = 0;
};

}  // namespace csh::backend_support
