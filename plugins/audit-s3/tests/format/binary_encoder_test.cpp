// The binary encoder: its header, a gzip stream any zlib reads, CBOR that
// decodes back to the exact events, ContainerSSH's own bytes for one message,
// JSON-typed fields as nested CBOR, and the compression level's adaptation.
#include "audit_events.hpp"

#include "format/binary_decoder.hpp"
#include "format/binary_encoder.hpp"

#include <boost/test/unit_test.hpp>

#include <cbor.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

using namespace audit_format_test;
using audit_s3::DecodedMessage;
using audit_s3::Format;

namespace {

// Inflates a gzip stream with plain zlib; `ended` says whether it had its end.
std::string inflate_gzip(std::string_view gzip, bool& ended) {
    z_stream zs{};
    BOOST_REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
    zs.avail_in = static_cast<uInt>(gzip.size());
    std::string out;
    int rc = Z_OK;
    while (rc == Z_OK) {
        char chunk[16384];
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - zs.avail_out);
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
    }
    ended = rc == Z_STREAM_END && zs.avail_in == 0;
    inflateEnd(&zs);
    return out;
}

// Splits a CBOR sequence with cbor_load alone; each item's bytes.
std::vector<std::string> cbor_sequence(const std::string& bytes) {
    std::vector<std::string> items;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        cbor_load_result result{};
        cbor_item_t* item = cbor_load(reinterpret_cast<const unsigned char*>(bytes.data()) + pos, bytes.size() - pos, &result);
        BOOST_REQUIRE_MESSAGE(item != nullptr, "CBOR item at byte " << pos << " does not load");
        BOOST_TEST(cbor_isa_map(item));
        cbor_decref(&item);
        items.push_back(bytes.substr(pos, result.read));
        pos += result.read;
    }
    return items;
}

audit_s3::DecodeResult decode(std::string_view recording) { return audit_s3::decode_recording(recording); }

}  // namespace

BOOST_AUTO_TEST_SUITE(binary_encoder)

BOOST_AUTO_TEST_CASE(the_header_is_the_magic_padded_to_32_bytes_then_version_2_little_endian) {
    std::deque<TestEvent> events;
    typical_session(events, {"x"});
    const std::string recording = encode_all(Format::binary, events);
    const std::string expected_header = std::string("ContainerSSH-Auditlog") + std::string(11, '\0') +
                                        std::string("\x02\0\0\0\0\0\0\0", 8);
    BOOST_TEST(recording.substr(0, 40) == expected_header);
    // A gzip member starts right after it.
    BOOST_TEST(recording.substr(40, 3) == std::string("\x1f\x8b\x08"));
    BOOST_TEST(audit_s3::content_type(Format::binary) == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(plain_zlib_reads_one_complete_gzip_stream_of_one_cbor_map_per_event) {
    std::deque<TestEvent> events;
    typical_session(events, {"total 0\r\n", "file\r\n"});
    const std::string recording = encode_all(Format::binary, events);
    bool ended = false;
    const std::string cbor = inflate_gzip(std::string_view(recording).substr(40), ended);
    BOOST_TEST(ended);
    BOOST_TEST(cbor_sequence(cbor).size() == events.size());
}

BOOST_AUTO_TEST_CASE(every_message_is_readable_before_finish) {
    // Z_SYNC_FLUSH after each message: what was written so far inflates to
    // whole messages, which is what a crash leaves behind.
    std::deque<TestEvent> events;
    typical_session(events, {"a", "b"});
    const std::string recording = encode_all(Format::binary, events, /*finish=*/false);
    bool ended = true;
    const std::string cbor = inflate_gzip(std::string_view(recording).substr(40), ended);
    BOOST_TEST(!ended);
    BOOST_TEST(cbor_sequence(cbor).size() == events.size());
}

BOOST_AUTO_TEST_CASE(a_typical_session_decodes_back_to_the_exact_events) {
    std::deque<TestEvent> events;
    typical_session(events, {"total 1\r\n", std::string("\x00\xff\xfe bin", 7)});
    const auto result = decode(encode_all(Format::binary, events));
    BOOST_TEST(result.error == "");
    BOOST_TEST(result.version == 2u);
    BOOST_TEST((result.ending == audit_s3::Ending::complete));
    BOOST_REQUIRE(result.messages.size() == events.size());

    const std::vector<std::pair<uint32_t, std::string>> expected = {
        {CSH_AUDIT_CONNECT, R"({"remoteAddr":"192.0.2.7","country":"XX"})"},
        {CSH_AUDIT_AUTH_PASSWORD, R"({"username":"alice","password":"czNjcv8="})"},
        {CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL, R"({"username":"alice","password":"czNjcv8="})"},
        {CSH_AUDIT_HANDSHAKE_SUCCESSFUL, R"({"username":"alice"})"},
        {CSH_AUDIT_NEW_CHANNEL, R"({"channelType":"session"})"},
        {CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL, R"({"channelType":"session"})"},
        {CSH_AUDIT_PTY,
         R"({"requestId":0,"term":"xterm-256color","columns":120,"rows":40,"width":0,"height":0,"modelist":"gQAAJYAA"})"},
        {CSH_AUDIT_SETENV, R"({"requestId":1,"name":"LANG","value":"C.UTF-8"})"},
        {CSH_AUDIT_EXEC, R"({"requestId":2,"program":"ls -l"})"},
        {CSH_AUDIT_IO, R"({"stream":1,"data":"dG90YWwgMQ0K"})"},
        {CSH_AUDIT_IO, R"({"stream":1,"data":"AP/+IGJpbg=="})"},
        {CSH_AUDIT_IO, R"({"stream":0,"data":"dHlwZWQ="})"},
        {CSH_AUDIT_EXIT, R"({"exitStatus":0})"},
        {CSH_AUDIT_CLOSE_WRITE, "null"},
        {CSH_AUDIT_CLOSE, "null"},
        {CSH_AUDIT_DISCONNECT, "null"},
    };
    BOOST_REQUIRE(expected.size() == events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const DecodedMessage& message = result.messages[i];
        const csh_audit_event& raw = events[i].view().raw();
        BOOST_TEST_CONTEXT("message " << i) {
            BOOST_TEST(message.connection_id == kConnectionId);
            BOOST_TEST(message.timestamp_ns == raw.timestamp_ns);
            BOOST_TEST(message.type == expected[i].first);
            BOOST_TEST(payload_json(message) == expected[i].second);
            const bool connection_level = raw.channel_id == CSH_AUDIT_NO_CHANNEL;
            BOOST_TEST(message.channel_id.has_value() == !connection_level);
            if (!connection_level) BOOST_TEST(*message.channel_id == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_message_is_byte_for_byte_what_containerssh_writes) {
    // The first message of ContainerSSH 0.4.0's recording (its v1 array's
    // first item), encoded again from the same values.
    bool ended = false;
    const std::string theirs = inflate_gzip(std::string_view(testdata("auditlog-0-4-0.bin")).substr(40), ended);
    BOOST_REQUIRE(theirs.size() > 1);
    BOOST_REQUIRE(theirs[0] == '\x9f');  // the indefinite-length array
    cbor_load_result loaded{};
    cbor_item_t* first = cbor_load(reinterpret_cast<const unsigned char*>(theirs.data()) + 1, theirs.size() - 1, &loaded);
    BOOST_REQUIRE(first != nullptr);
    cbor_decref(&first);
    const std::string their_message = theirs.substr(1, loaded.read);

    csh_audit_field fields[2]{};
    fields[0].key = {"remoteAddr", 10};
    fields[0].type = CSH_AUDIT_VALUE_STRING;
    fields[0].value.string = {"::1", 3};
    fields[1].key = {"country", 7};
    fields[1].type = CSH_AUDIT_VALUE_STRING;
    fields[1].value.string = {"XX", 2};
    csh_audit_event raw{};
    raw.struct_size = sizeof raw;
    raw.type = CSH_AUDIT_CONNECT;
    raw.timestamp_ns = INT64_C(1625081015047410200);
    raw.channel_id = CSH_AUDIT_NO_CHANNEL;
    raw.connection_id = {"b55b141aab3741d7b7858db45aa129e8", 32};
    raw.payload = fields;
    raw.payload_count = 2;
    const auto encoder = audit_s3::make_encoder(Format::binary);
    std::string ours;
    encoder->encode(csh::sdk::AuditEvent(raw), ours);
    encoder->finish(ours);
    const std::string our_message = inflate_gzip(std::string_view(ours).substr(40), ended);
    BOOST_TEST(our_message == their_message);
}

BOOST_AUTO_TEST_CASE(json_fields_become_nested_cbor_and_every_scalar_type_keeps_its_type) {
    std::deque<TestEvent> events;
    events.emplace_back(CSH_AUDIT_AUTH_KBDINT_CHALLENGE, kStart)
        .text("username", "bob")
        .text("instruction", "")
        .json("questions", R"([{"question":"Password: ","echo":false},{"question":"Code: ","echo":true}])");
    events.emplace_back(CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL, kStart + 1)
        .text("username", "bob")
        .json("metadata", R"({"team":{"value":"ops","sensitive":false},"n":{"value":"-3","sensitive":true}})")
        .json("broken", "{not json");
    events.emplace_back(CSH_AUDIT_EXIT_SIGNAL, kStart + 2, 3)
        .text("signal", "KILL")
        .bool_value("coreDumped", true)
        .int_value("negative", -1234567890123)
        .uint_value("big", UINT64_MAX)
        .json("numbers", "[1.5,-7,18446744073709551615,null]");
    const auto result = decode(encode_all(Format::binary, events));
    BOOST_TEST(result.error == "");
    BOOST_REQUIRE(result.messages.size() == 3u);
    BOOST_TEST(payload_json(result.messages[0]) ==
               R"({"username":"bob","instruction":"","questions":[{"question":"Password: ","echo":false},{"question":"Code: ","echo":true}]})");
    // Text that is not JSON is kept as text rather than lost.
    BOOST_TEST(payload_json(result.messages[1]) ==
               R"({"username":"bob","metadata":{"team":{"value":"ops","sensitive":false},"n":{"value":"-3","sensitive":true}},"broken":"{not json"})");
    BOOST_TEST(payload_json(result.messages[2]) ==
               R"({"signal":"KILL","coreDumped":true,"negative":-1234567890123,"big":18446744073709551615,"numbers":[1.5,-7,18446744073709551615,null]})");
    BOOST_TEST(*result.messages[2].channel_id == 3u);
    BOOST_TEST((result.ending == audit_s3::Ending::complete));
}

BOOST_AUTO_TEST_CASE(incompressible_output_costs_little_and_compressible_output_shrinks) {
    audit_s3::BinaryEncoder encoder;
    std::mt19937_64 random(7);
    std::string noise(64 * 1024, '\0');
    const std::string text = [] {
        std::string t;
        while (t.size() < 64 * 1024) t += "-rw-r--r-- 1 alice users  4096 Nov 14 22:13 notes.txt\r\n";
        return t;
    }();
    std::deque<TestEvent> events;
    std::string out;
    std::size_t noise_bytes = 0;
    for (int i = 0; i < 64; ++i) {  // 4 MiB of fresh random bytes
        for (char& c : noise) c = static_cast<char>(random());
        events.emplace_back(CSH_AUDIT_IO, kStart + i, 0).uint_value("stream", 1).bytes("data", noise);
        encoder.encode(events.back().view(), out);
        noise_bytes += noise.size();
    }
    // Stored blocks at worst: a few bytes per block and message.
    BOOST_TEST(out.size() < noise_bytes + noise_bytes / 100);
    const std::size_t before = out.size();
    events.emplace_back(CSH_AUDIT_IO, kStart + 1000, 0).uint_value("stream", 1).bytes("data", text);
    encoder.encode(events.back().view(), out);
    BOOST_TEST(out.size() - before < text.size() / 4);
    encoder.finish(out);
    const auto result = decode(out);
    BOOST_TEST(result.error == "");
    BOOST_REQUIRE(result.messages.size() == events.size());
    BOOST_TEST(payload_json(result.messages.back()).find("LXJ3LXIt") != std::string::npos);
    BOOST_TEST((result.ending == audit_s3::Ending::complete));
}

BOOST_AUTO_TEST_CASE(an_empty_recording_is_a_header_and_an_empty_gzip_stream) {
    const auto encoder = audit_s3::make_encoder(Format::binary);
    std::string out;
    encoder->finish(out);
    encoder->finish(out);  // a second finish adds nothing
    BOOST_TEST(out.substr(0, 21) == "ContainerSSH-Auditlog");
    const auto result = decode(out);
    BOOST_TEST(result.error == "");
    BOOST_TEST(result.messages.empty());
    BOOST_TEST((result.ending == audit_s3::Ending::complete));
}

BOOST_AUTO_TEST_SUITE_END()
