// ContainerSSH's `forward-server` protocol (docs/design/forwarding.md §1):
// the packet and connection types, the structs carried in nested payloads
// and the names of our negotiated extensions (§5). Shared by the guest agent
// (static, -fno-exceptions) and the backends; the wire format lives in
// forward_codec.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace csh::agent::forward {

// Packet.Type. 0-6 are ContainerSSH's; 7 and 8 exist only once negotiated
// (csh.eof, csh.window).
enum PacketType : std::uint64_t {
    kSetup = 0,
    kSuccess = 1,
    kError = 2,
    kData = 3,
    kNewConnection = 4,
    kCloseConnection = 5,
    kNoMoreConnections = 6,
    kEof = 7,
    kWindowAdjust = 8,
};

// SetupPacket.ConnectionType.
enum ConnectionType : std::uint64_t {
    kX11 = 0,
    kPortForward = 1,    // listen in the container (TCP or unix)
    kPortDial = 2,       // dial from the container (TCP or unix)
    kSocketForward = 3,  // treated as kPortForward (the gateway never sends it)
    kSocketDial = 4,     // treated as kPortDial (never sent)
};

// Extension names the gateway lists in SETUP's "Extensions" (ours only).
inline constexpr const char* kExtensionListenInfo = "csh.listen-info";
inline constexpr const char* kExtensionEof = "csh.eof";
inline constexpr const char* kExtensionWindow = "csh.window";

// csh.window: the credit each direction of a connection starts with.
inline constexpr std::uint64_t kInitialWindow = 256 * 1024;

// Limits of the reader: fxamacker writes nothing deeper or larger, and an
// agent must not be made to buffer without bound.
inline constexpr std::size_t kMaxItemBytes = 1024 * 1024;
inline constexpr int kMaxDepth = 3;
inline constexpr std::uint64_t kMaxContainerEntries = 256;

// {"Type", "ConnectionId", "Payload"}. `payload_null` is fxamacker's nil
// []byte (null on the wire); DATA carries raw bytes, SETUP/NEW_CONNECTION a
// nested CBOR item, every other type null.
struct Packet {
    std::uint64_t type = 0;
    std::uint64_t connection_id = 0;
    bool payload_null = true;
    std::string payload;
};

// SETUP's payload, Go field order. `Screen` is text on the wire.
// `extensions` is ours and written only when `has_extensions`.
struct SetupPacket {
    std::uint64_t connection_type = 0;
    std::string bind_host;
    std::uint64_t bind_port = 0;
    std::string protocol;
    std::string screen;
    bool single_connection = false;
    std::string auth_protocol;
    std::string auth_cookie;
    bool has_extensions = false;
    std::vector<std::string> extensions;
};

// NEW_CONNECTION's payload. For unix sockets ConnectedAddress is the path.
struct NewConnectionPayload {
    std::string protocol;
    std::string connected_address;
    std::uint64_t connected_port = 0;
    std::string originator_address;
    std::uint64_t originator_port = 0;
};

// Our SETUP SUCCESS payload, sent only when SETUP listed Extensions:
// the accepted extensions and, with csh.listen-info, the bound port, the X11
// display and the agent's PID.
struct SetupReply {
    std::vector<std::string> extensions;
    std::uint64_t bind_port = 0;
    std::uint64_t display = 0;
    std::uint64_t pid = 0;
};

}  // namespace csh::agent::forward
