// The packet trace of docs/design/forwarding.md §1.5 (`ssh -L
// 9000:127.0.0.1:8080`, one connection, "ping\n" / "pong\n", the server in the
// container closes) as hex, and a hex converter. Shared by the codec's unit
// tests and the agent's packet-trace test.
#pragma once

#include <csh/agent/forward_codec.hpp>

#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace csh::agent::forward::trace {

// Packet keys as they recur in every packet.
#define CSH_TRACE_HEAD(type) "a3 64 54797065 " type " 6c 436f6e6e656374696f6e4964 "
#define CSH_TRACE_PAYLOAD " 67 5061796c6f6164 "

inline constexpr std::string_view kSetup =
    CSH_TRACE_HEAD("00") "00" CSH_TRACE_PAYLOAD "58 63"
    " a8 6e 436f6e6e656374696f6e54797065 02  68 42696e64486f7374 60  68 42696e64506f7274 00"
    " 68 50726f746f636f6c 60  66 53637265656e 60  70 53696e676c65436f6e6e656374696f6e f4"
    " 6c 4175746850726f746f636f6c 60  6a 41757468436f6f6b6965 60";
inline constexpr std::string_view kSetupSuccess = CSH_TRACE_HEAD("01") "00" CSH_TRACE_PAYLOAD "f6";
inline constexpr std::string_view kNewConnection =
    CSH_TRACE_HEAD("04") "01" CSH_TRACE_PAYLOAD "58 68"
    " a5 68 50726f746f636f6c 63 746370"
    " 70 436f6e6e656374656441646472657373 69 3132372e302e302e31"
    " 6d 436f6e6e6563746564506f7274 19 1f90"
    " 71 4f726967696e61746f7241646472657373 69 3132372e302e302e31"
    " 6e 4f726967696e61746f72506f7274 19 d431";
inline constexpr std::string_view kConnectionSuccess = CSH_TRACE_HEAD("01") "01" CSH_TRACE_PAYLOAD "f6";
inline constexpr std::string_view kDataPing = CSH_TRACE_HEAD("03") "01" CSH_TRACE_PAYLOAD "45 70696e670a";
inline constexpr std::string_view kDataPong = CSH_TRACE_HEAD("03") "01" CSH_TRACE_PAYLOAD "45 706f6e670a";
inline constexpr std::string_view kClose = CSH_TRACE_HEAD("05") "01" CSH_TRACE_PAYLOAD "f6";
inline constexpr std::string_view kCloseAck = CSH_TRACE_HEAD("01") "01" CSH_TRACE_PAYLOAD "f6";
inline constexpr std::string_view kNoMore = CSH_TRACE_HEAD("06") "00" CSH_TRACE_PAYLOAD "f6";

#undef CSH_TRACE_HEAD
#undef CSH_TRACE_PAYLOAD

// Hex digits to bytes; blanks are ignored.
inline std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument(std::string("not a hex digit: ") + c);
    };
    std::string bytes;
    int high = -1;
    for (char c : hex) {
        if (c == ' ' || c == '\n') continue;
        if (high < 0) {
            high = nibble(c);
        } else {
            bytes.push_back(static_cast<char>(high * 16 + nibble(c)));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd number of hex digits");
    return bytes;
}

inline std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : bytes) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 15]);
    }
    return hex;
}

}  // namespace csh::agent::forward::trace

namespace csh::agent::forward {

// Lets Boost.Test print decode errors in failed checks.
inline std::ostream& operator<<(std::ostream& out, DecodeError error) { return out << describe(error); }

}  // namespace csh::agent::forward
