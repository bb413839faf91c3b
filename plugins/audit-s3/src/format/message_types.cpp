#include "format/message_types.hpp"

namespace audit_s3 {
namespace {

struct Entry {
    uint32_t type;
    MessageTypeNames names;
};

constexpr Entry kTypes[] = {
    {0, {"connect", "Connect"}},
    {1, {"disconnect", "Disconnect"}},
    {100, {"auth_password", "Password authentication"}},
    {101, {"auth_password_successful", "Password authentication successful"}},
    {102, {"auth_password_failed", "Password authentication failed"}},
    {103, {"auth_password_backend_error", "Password authentication backend error"}},
    {104, {"auth_pubkey", "Public key authentication"}},
    {105, {"auth_pubkey_successful", "Public key authentication successful"}},
    {106, {"auth_pubkey_failed", "Public key authentication failed"}},
    {107, {"auth_pubkey_backend_error", "Public key authentication backend error"}},
    {108, {"auth_keyboard_interactive_challenge", "Keyboard-interactive authentication challenge"}},
    {109, {"auth_keyboard_interactive_answer", "Keyboard-interactive authentication answer"}},
    {110, {"auth_keyboard_interactive_failed", "Keyboard-interactive authentication failed"}},
    {111, {"auth_keyboard_interactive_backend_error", "Keyboard-interactive authentication backend error"}},
    {198, {"handshake_failed", "Handshake failed"}},
    {199, {"handshake_successful", "Handshake successful"}},
    {200, {"global_request_unknown", "Unknown global request"}},
    {201, {"global_request_decode_failed", "Failed to decode global request"}},
    {202, {"forward_tcpip", "Request reverse port forwarding"}},
    {203, {"cancel_forward_tcpip", "Request to stop reverse port forwarding"}},
    {204, {"forward_streamlocal", "Request reverse socket forwarding"}},
    {205, {"cancel_forward_streamlocal", "Request to stop reverse socket forwarding"}},
    {300, {"new_channel", "New channel request"}},
    {301, {"new_channel_successful", "New channel successful"}},
    {302, {"new_channel_failed", "New channel failed"}},
    {303, {"new_channel_direct_tcpip", "New client-to-server port forwarding channel"}},
    {304, {"new_channel_forwarded_tcpip", "New server-to-client port forwarding channel"}},
    {305, {"new_channel_x11", "New server-to-client X11 forwarding channel"}},
    {306, {"new_channel_direct_streamlocal", "New client-to-server unix socket forwarding channel"}},
    {307, {"new_channel_forwarded_streamlocal", "New server-to-client unix socket forwarding channel"}},
    {400, {"channel_request_unknown", "Unknown channel request"}},
    {401, {"channel_request_decode_failed", "Failed to decode channel request"}},
    {402, {"setenv", "Set environment variable"}},
    {403, {"exec", "Execute program"}},
    {404, {"pty", "Request interactive terminal"}},
    {405, {"shell", "Run shell"}},
    {406, {"signal", "Send signal to running process"}},
    {407, {"subsystem", "Request subsystem"}},
    {408, {"window", "Change window size"}},
    {409, {"x11-req", "Request X11 forwarding"}},
    {496, {"close_write", "Close channel for writing"}},
    {497, {"close", "Close channel"}},
    {498, {"exit_signal", "Program exited with signal"}},
    {499, {"exit", "Program exited"}},
    {500, {"io", "I/O"}},
    {501, {"request_failed", "Request failed"}},
};

}  // namespace

MessageTypeNames message_type_names(uint32_t type) {
    for (const Entry& entry : kTypes) {
        if (entry.type == type) return entry.names;
    }
    return {"invalid", "invalid"};
}

}  // namespace audit_s3
