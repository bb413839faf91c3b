#include "harness/recordings.hpp"

#include <containerssh/sdk/base64.hpp>

#include <simdjson.h>
#include <zlib.h>

#include <sstream>

namespace csh::test {

std::string decoder_binary() { return CSH_AUDIT_DECODER; }

Decoded decode_recording(const std::string& file) {
    Decoded decoded;
    decoded.run = run({decoder_binary(), "--file", file}, "", {}, std::chrono::seconds(120));
    std::istringstream lines(decoded.run.out);
    std::string line;
    simdjson::dom::parser parser;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        simdjson::dom::object object;
        if (parser.parse(line).get_object().get(object) != simdjson::SUCCESS) continue;
        DecodedMessage message;
        message.line = line;
        int64_t type = -1;
        if (object["type"].get_int64().get(type) == simdjson::SUCCESS) message.type = static_cast<int>(type);
        std::string_view text;
        if (object["typeId"].get_string().get(text) == simdjson::SUCCESS) message.type_id = text;
        if (object["connectionId"].get_string().get(text) == simdjson::SUCCESS) message.connection_id = text;
        int64_t number = 0;
        if (object["timestamp"].get_int64().get(number) == simdjson::SUCCESS) message.timestamp = number;
        if (object["channelId"].get_int64().get(number) == simdjson::SUCCESS) message.channel = number;
        simdjson::dom::element payload;
        message.payload_json = object["payload"].get(payload) == simdjson::SUCCESS ? simdjson::minify(payload) : "null";
        decoded.messages.push_back(std::move(message));
    }
    return decoded;
}

std::string io_bytes(const Decoded& decoded, int stream) {
    std::string out;
    simdjson::dom::parser parser;
    for (const auto& message : decoded.messages) {
        if (message.type != 500) continue;
        simdjson::dom::object payload;
        if (parser.parse(message.payload_json).get_object().get(payload) != simdjson::SUCCESS) continue;
        int64_t which = -1;
        std::string_view data;
        if (payload["stream"].get_int64().get(which) != simdjson::SUCCESS || which != stream) continue;
        if (payload["data"].get_string().get(data) != simdjson::SUCCESS) continue;
        if (auto bytes = csh::sdk::base64_decode(data)) out += *bytes;
    }
    return out;
}

std::vector<int> message_types(const Decoded& decoded) {
    std::vector<int> types;
    for (const auto& message : decoded.messages) types.push_back(message.type);
    return types;
}

bool in_order(const std::vector<int>& types, const std::vector<int>& expected) {
    size_t at = 0;
    for (int t : types) {
        if (at < expected.size() && t == expected[at]) ++at;
    }
    return at == expected.size();
}

std::optional<std::string> payload_string(const Decoded& decoded, int type, const std::string& key) {
    simdjson::dom::parser parser;
    for (const auto& message : decoded.messages) {
        if (message.type != type) continue;
        simdjson::dom::object payload;
        std::string_view value;
        if (parser.parse(message.payload_json).get_object().get(payload) != simdjson::SUCCESS) return std::nullopt;
        if (payload[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
        return std::string(value);
    }
    return std::nullopt;
}

std::string inflate_body(const std::string& recording) {
    if (recording.size() <= 40) return {};
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return {};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(recording.data() + 40));
    z.avail_in = static_cast<uInt>(recording.size() - 40);
    std::string out;
    char buffer[65536];
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        status = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - z.avail_out);
        if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // a cut-short stream: keep what came out
    }
    inflateEnd(&z);
    return out;
}

}  // namespace csh::test
