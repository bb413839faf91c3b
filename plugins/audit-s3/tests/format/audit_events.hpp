// Audit events built as the host hands them over (csh_audit_event and
// csh_audit_field structs), and the typical session of reference §4.4.
#pragma once

#include <containerssh/sdk/audit.hpp>

#include "format/binary_decoder.hpp"
#include "format/encoder.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace audit_format_test {

inline constexpr const char* kConnectionId = "0123456789abcdef0123456789abcdef";
inline constexpr int64_t kStart = INT64_C(1700000000000000000);  // 2023-11-14, in ns
inline constexpr int64_t kMs = 1000000;

// One event with the fields it owns. Not copyable: the raw struct points
// into it (keep events in a std::deque, which never moves them).
class TestEvent {
public:
    TestEvent(csh_audit_type type, int64_t timestamp_ns, int64_t channel = CSH_AUDIT_NO_CHANNEL);
    TestEvent(const TestEvent&) = delete;
    TestEvent& operator=(const TestEvent&) = delete;

    TestEvent& text(std::string key, std::string value);
    TestEvent& bytes(std::string key, std::string value);
    TestEvent& int_value(std::string key, int64_t value);
    TestEvent& uint_value(std::string key, uint64_t value);
    TestEvent& bool_value(std::string key, bool value);
    TestEvent& json(std::string key, std::string value);

    csh::sdk::AuditEvent view();

private:
    csh_str keep(std::string text);
    csh_audit_field& add(std::string key, csh_audit_value_type type);

    std::string connection_id_ = kConnectionId;
    std::deque<std::string> texts_;
    std::vector<csh_audit_field> fields_;
    csh_audit_event raw_{};
};

// connect, auth_password, auth_password_successful, handshake_successful,
// new_channel, new_channel_successful, pty, setenv, exec, io x `outputs`
// (stdout), io stdin, exit, close_write, close, disconnect.
void typical_session(std::deque<TestEvent>& events, const std::vector<std::string>& outputs);

// Encodes every event; `sizes` (if given) gets the recording's size after
// each one. finish() only when `finish`.
std::string encode_all(audit_s3::Format format, std::deque<TestEvent>& events, bool finish = true,
                       std::vector<std::size_t>* sizes = nullptr);

// The payload of a decoded message as JSON text ("null" for none).
std::string payload_json(const audit_s3::DecodedMessage& message);

// Reads a file of the test data directory.
std::string testdata(const std::string& name);

}  // namespace audit_format_test
