// Turning one connection's audit events into the bytes of a recording, in
// ContainerSSH's binary format (reference §4.2) or asciicast v2 (§4.3).
//
// One encoder per recording, used from one strand at a time (the
// connection's); it keeps no reference to an event after encode() returns.
#pragma once

#include <containerssh/sdk/audit.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace audit_s3 {

enum class Format { binary, asciinema };

class Encoder {
public:
    virtual ~Encoder() = default;
    // Appends to `out` the bytes this event adds to the recording (none is
    // fine: asciicast drops what it cannot show). The binary encoder writes
    // its 40-byte header with the first event and flushes the gzip stream
    // after every message, so a crash loses at most the message in hand.
    virtual void encode(const csh::sdk::AuditEvent& event, std::string& out) = 0;
    // The recording ends (after the disconnect event, or early): appends the
    // closing bytes (the gzip trailer). No encode() after it.
    virtual void finish(std::string& out) = 0;
};

std::unique_ptr<Encoder> make_encoder(Format format);

// The Content-Type of a recording in storage: application/octet-stream for
// binary (as ContainerSSH), application/x-asciicast for asciinema.
std::string_view content_type(Format format);

}  // namespace audit_s3
