// asciicast v2 (reference §4.3): the terminal output of a connection's
// session channels, for playback with asciinema. Lossy by design: stdin,
// authentication and channel requests other than those below are not shown.
//
// The header line is held back until the first exec (command = the
// program), shell ("/bin/sh") or subsystem (its name; ContainerSSH writes
// "/bin/sh" there too), or the first output; until then setenv adds to its
// env, pty sets env TERM, width (columns) and height (rows), and a window
// change sets width and height. v2 has no way to resize a recording that has
// started, so later window changes are dropped, as ContainerSSH does.
// Output (io stream 1 or 2) becomes [seconds since the connection, "o",
// text]; a UTF-8 character split between two writes of one stream is joined
// before it is judged, and bytes that are not UTF-8 become U+FFFD.
#pragma once

#include "format/encoder.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace audit_s3 {

class AsciicastEncoder final : public Encoder {
public:
    void encode(const csh::sdk::AuditEvent& event, std::string& out) override;
    void finish(std::string& out) override;

private:
    struct Carry {
        int64_t channel;
        uint64_t stream;
        std::string bytes;  // an incomplete UTF-8 sequence, 1 to 3 bytes
    };

    void write_header(std::string_view command, std::string& out);
    void write_output(const csh::sdk::AuditEvent& event, std::string& out);
    void write_frame(int64_t timestamp_ns, std::string_view text, std::string& out);
    std::string& carry_of(int64_t channel, uint64_t stream);

    std::optional<int64_t> start_ns_;
    int64_t last_ns_ = 0;
    bool header_written_ = false;
    bool finished_ = false;
    uint64_t width_ = 80;
    uint64_t height_ = 25;
    std::map<std::string, std::string> env_;  // sorted keys, as Go writes a map
    std::vector<Carry> carries_;
    std::string joined_;  // reused when a carry is prepended to output
};

}  // namespace audit_s3
