#include "audit_events.hpp"

#include "format/message_json.hpp"

#include "file_contents.hpp"

namespace audit_format_test {

TestEvent::TestEvent(csh_audit_type type, int64_t timestamp_ns, int64_t channel) {
    raw_.struct_size = sizeof raw_;
    raw_.type = type;
    raw_.timestamp_ns = timestamp_ns;
    raw_.channel_id = channel;
}

csh_str TestEvent::keep(std::string text) {
    texts_.push_back(std::move(text));
    return csh_str{texts_.back().data(), texts_.back().size()};
}

csh_audit_field& TestEvent::add(std::string key, csh_audit_value_type type) {
    csh_audit_field field{};
    field.key = keep(std::move(key));
    field.type = type;
    fields_.push_back(field);
    return fields_.back();
}

TestEvent& TestEvent::text(std::string key, std::string value) {
    const csh_str kept = keep(std::move(value));
    add(std::move(key), CSH_AUDIT_VALUE_STRING).value.string = kept;
    return *this;
}

TestEvent& TestEvent::bytes(std::string key, std::string value) {
    const csh_str kept = keep(std::move(value));
    add(std::move(key), CSH_AUDIT_VALUE_BYTES).value.bytes =
        csh_bytes{reinterpret_cast<const uint8_t*>(kept.data), kept.size};
    return *this;
}

TestEvent& TestEvent::int_value(std::string key, int64_t value) {
    add(std::move(key), CSH_AUDIT_VALUE_INT).value.int_value = value;
    return *this;
}

TestEvent& TestEvent::uint_value(std::string key, uint64_t value) {
    add(std::move(key), CSH_AUDIT_VALUE_UINT).value.uint_value = value;
    return *this;
}

TestEvent& TestEvent::bool_value(std::string key, bool value) {
    add(std::move(key), CSH_AUDIT_VALUE_BOOL).value.bool_value = value ? 1 : 0;
    return *this;
}

TestEvent& TestEvent::json(std::string key, std::string value) {
    const csh_str kept = keep(std::move(value));
    add(std::move(key), CSH_AUDIT_VALUE_JSON).value.string = kept;
    return *this;
}

csh::sdk::AuditEvent TestEvent::view() {
    raw_.connection_id = csh_str{connection_id_.data(), connection_id_.size()};
    raw_.payload = fields_.empty() ? nullptr : fields_.data();
    raw_.payload_count = fields_.size();
    return csh::sdk::AuditEvent(raw_);
}

void typical_session(std::deque<TestEvent>& events, const std::vector<std::string>& outputs) {
    int64_t t = kStart;
    events.emplace_back(CSH_AUDIT_CONNECT, t).text("remoteAddr", "192.0.2.7").text("country", "XX");
    events.emplace_back(CSH_AUDIT_AUTH_PASSWORD, t += 5 * kMs).text("username", "alice").bytes("password", "s3cr\xff");
    events.emplace_back(CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL, t += 20 * kMs)
        .text("username", "alice")
        .bytes("password", "s3cr\xff");
    events.emplace_back(CSH_AUDIT_HANDSHAKE_SUCCESSFUL, t += kMs).text("username", "alice");
    events.emplace_back(CSH_AUDIT_NEW_CHANNEL, t += kMs, 0).text("channelType", "session");
    events.emplace_back(CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL, t += kMs, 0).text("channelType", "session");
    events.emplace_back(CSH_AUDIT_PTY, t += kMs, 0)
        .uint_value("requestId", 0)
        .text("term", "xterm-256color")
        .uint_value("columns", 120)
        .uint_value("rows", 40)
        .uint_value("width", 0)
        .uint_value("height", 0)
        .bytes("modelist", std::string("\x81\x00\x00\x25\x80\x00", 6));
    events.emplace_back(CSH_AUDIT_SETENV, t += kMs, 0)
        .uint_value("requestId", 1)
        .text("name", "LANG")
        .text("value", "C.UTF-8");
    events.emplace_back(CSH_AUDIT_EXEC, t += kMs, 0).uint_value("requestId", 2).text("program", "ls -l");
    for (const std::string& output : outputs) {
        events.emplace_back(CSH_AUDIT_IO, t += 100 * kMs, 0).uint_value("stream", 1).bytes("data", output);
    }
    events.emplace_back(CSH_AUDIT_IO, t += kMs, 0).uint_value("stream", 0).bytes("data", "typed");
    events.emplace_back(CSH_AUDIT_EXIT, t += kMs, 0).uint_value("exitStatus", 0);
    events.emplace_back(CSH_AUDIT_CLOSE_WRITE, t += kMs, 0);
    events.emplace_back(CSH_AUDIT_CLOSE, t += kMs, 0);
    events.emplace_back(CSH_AUDIT_DISCONNECT, t += kMs);
}

std::string encode_all(audit_s3::Format format, std::deque<TestEvent>& events, bool finish,
                       std::vector<std::size_t>* sizes) {
    const auto encoder = audit_s3::make_encoder(format);
    std::string out;
    for (TestEvent& event : events) {
        encoder->encode(event.view(), out);
        if (sizes != nullptr) sizes->push_back(out.size());
    }
    if (finish) encoder->finish(out);
    return out;
}

std::string payload_json(const audit_s3::DecodedMessage& message) {
    std::string json;
    if (message.payload) {
        audit_s3::append_cbor_json(json, message.payload.get());
    } else {
        json = "null";
    }
    return json;
}

std::string testdata(const std::string& name) { return csh::test::read_file(std::string(CSH_AUDIT_TESTDATA) + "/" + name); }

}  // namespace audit_format_test
