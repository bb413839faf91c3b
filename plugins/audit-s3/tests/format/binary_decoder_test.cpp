// The binary decoder: ContainerSSH 0.4.0's real recording (version 1),
// recordings cut after any message or inside one, fed in pieces of any size,
// and the errors that name what is wrong.
#include "audit_events.hpp"

#include "format/binary_decoder.hpp"
#include "format/binary_format.hpp"
#include "format/cbor_buffer.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace audit_format_test;
using audit_s3::DecodedMessage;
using audit_s3::Ending;
using audit_s3::Format;

namespace {

// A version 2 recording of the CBOR in `body`, gzip stream ended.
std::string recording_of(const audit_s3::CborBuffer& body) {
    std::string recording = audit_s3::binary_format::header(2);
    z_stream zs{};
    BOOST_REQUIRE(deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&zs, body.size()) + 64, '\0');
    zs.next_in = const_cast<Bytef*>(body.data());
    zs.avail_in = static_cast<uInt>(body.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    BOOST_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    recording.append(out.data(), out.size() - zs.avail_out);
    deflateEnd(&zs);
    return recording;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(binary_decoder)

BOOST_AUTO_TEST_CASE(containerssh_0_4_0_recording_decodes) {
    const auto result = audit_s3::decode_recording(testdata("auditlog-0-4-0.bin"));
    BOOST_TEST(result.error == "");
    BOOST_TEST(result.version == 1u);
    // ContainerSSH closes the message array but never ends the gzip stream.
    BOOST_TEST((result.ending == Ending::unterminated));
    BOOST_REQUIRE(result.messages.size() == 11u);
    const auto& m = result.messages;
    for (const DecodedMessage& message : m) BOOST_TEST(message.connection_id == "b55b141aab3741d7b7858db45aa129e8");

    BOOST_TEST(m[0].type == CSH_AUDIT_CONNECT);
    BOOST_TEST(m[0].timestamp_ns == INT64_C(1625081015047410200));
    BOOST_TEST(payload_json(m[0]) == R"({"remoteAddr":"::1","country":"XX"})");
    BOOST_TEST(!m[0].channel_id.has_value());
    BOOST_TEST(m[1].type == CSH_AUDIT_AUTH_PASSWORD);
    BOOST_TEST(payload_json(m[1]) == R"({"username":"foo","password":"YmFy"})");  // "bar", bytes
    BOOST_TEST(m[2].type == CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL);
    BOOST_TEST(m[3].type == CSH_AUDIT_HANDSHAKE_SUCCESSFUL);
    BOOST_TEST(payload_json(m[3]) == R"({"username":"foo"})");
    BOOST_TEST(m[4].type == CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL);
    BOOST_TEST(payload_json(m[4]) == R"({"channelType":"session"})");
    BOOST_REQUIRE(m[4].channel_id.has_value());
    BOOST_TEST(*m[4].channel_id == 0u);
    BOOST_TEST(m[5].type == CSH_AUDIT_PTY);
    BOOST_TEST(payload_json(m[5]) ==
               R"({"requestId":0,"term":"xterm-256color","columns":120,"rows":30,"width":640,"height":480,"modelist":"gQAAJYCAAAAlgAA="})");
    BOOST_TEST(m[6].type == CSH_AUDIT_SHELL);
    BOOST_TEST(payload_json(m[6]) == R"({"requestId":1})");
    BOOST_TEST(m[7].type == CSH_AUDIT_CLOSE_WRITE);
    BOOST_TEST(payload_json(m[7]) == "null");
    BOOST_TEST(m[8].type == CSH_AUDIT_EXIT);
    BOOST_TEST(payload_json(m[8]) == R"({"exitStatus":0})");
    BOOST_TEST(m[9].type == CSH_AUDIT_CLOSE);
    BOOST_TEST(m[10].type == CSH_AUDIT_DISCONNECT);
    BOOST_TEST(m[10].timestamp_ns == INT64_C(1625081031328903700));
    BOOST_TEST(!m[10].channel_id.has_value());
}

BOOST_AUTO_TEST_CASE(the_0_4_0_recording_cut_before_its_array_ends_is_truncated) {
    const std::string whole = testdata("auditlog-0-4-0.bin");
    // Cut inside the gzip stream: whatever inflates to whole messages is kept.
    std::size_t last_count = 0;
    for (std::size_t cut = 40; cut < whole.size(); cut += 7) {
        const auto result = audit_s3::decode_recording(std::string_view(whole).substr(0, cut));
        BOOST_TEST_CONTEXT("cut at " << cut) {
            BOOST_TEST(result.error == "");
            // The last bytes are the gzip trailer's: the array may be whole.
            const Ending expected = result.messages.size() == 11u ? Ending::unterminated : Ending::truncated;
            BOOST_TEST((result.ending == expected));
            BOOST_TEST(result.messages.size() >= last_count);
        }
        last_count = result.messages.size();
    }
}

BOOST_AUTO_TEST_CASE(a_recording_cut_after_k_messages_yields_those_k_and_says_truncated) {
    std::deque<TestEvent> events;
    typical_session(events, {"one\r\n", "two\r\n", "three\r\n"});
    std::vector<std::size_t> sizes;
    const std::string recording = encode_all(Format::binary, events, /*finish=*/false, &sizes);
    for (std::size_t k = 1; k < events.size(); ++k) {
        BOOST_TEST_CONTEXT("k = " << k) {
            const auto at_boundary = audit_s3::decode_recording(std::string_view(recording).substr(0, sizes[k - 1]));
            BOOST_TEST(at_boundary.error == "");
            BOOST_TEST(at_boundary.messages.size() == k);
            BOOST_TEST((at_boundary.ending == Ending::truncated));
            // Cut inside the next message: the same k, still no error.
            const std::size_t inside = sizes[k - 1] + (sizes[k] - sizes[k - 1]) / 2;
            const auto in_message = audit_s3::decode_recording(std::string_view(recording).substr(0, inside));
            BOOST_TEST(in_message.error == "");
            BOOST_TEST(in_message.messages.size() == k);
            BOOST_TEST((in_message.ending == Ending::truncated));
        }
    }
    // All of it, without the gzip end: the disconnect is there, nothing lost.
    const auto unterminated = audit_s3::decode_recording(recording);
    BOOST_TEST(unterminated.messages.size() == events.size());
    BOOST_TEST((unterminated.ending == Ending::unterminated));
}

BOOST_AUTO_TEST_CASE(fed_byte_by_byte_it_decodes_the_same) {
    std::deque<TestEvent> events;
    typical_session(events, {std::string(70000, 'x'), "tail"});
    const std::string recording = encode_all(Format::binary, events);
    std::vector<std::string> seen;
    audit_s3::BinaryDecoder decoder([&](DecodedMessage&& message) { seen.push_back(payload_json(message)); });
    for (std::size_t i = 0; i < recording.size(); i += 3) decoder.feed(std::string_view(recording).substr(i, 3));
    BOOST_TEST((decoder.finish() == Ending::complete));
    const auto whole = audit_s3::decode_recording(recording);
    BOOST_REQUIRE(seen.size() == whole.messages.size());
    for (std::size_t i = 0; i < seen.size(); ++i) BOOST_TEST(seen[i] == payload_json(whole.messages[i]));
}

BOOST_AUTO_TEST_CASE(errors_name_what_is_wrong) {
    std::deque<TestEvent> events;
    typical_session(events, {"x"});
    const std::string good = encode_all(Format::binary, events);

    BOOST_TEST(audit_s3::decode_recording("").error == "the audit log is empty");
    BOOST_TEST(audit_s3::decode_recording(good.substr(0, 20)).error ==
               "the audit log is 20 bytes, shorter than its 40-byte header");

    std::string bad_magic = good;
    bad_magic[0] = 'c';
    BOOST_TEST(audit_s3::decode_recording(bad_magic).error ==
               "not a ContainerSSH audit log: the file does not start with the magic \"ContainerSSH-Auditlog\"");

    std::string version_3 = good;
    version_3[32] = '\x03';
    BOOST_TEST(audit_s3::decode_recording(version_3).error ==
               "unsupported audit log format version 3 (this decoder reads versions 1 and 2)");

    std::string corrupt = good;
    corrupt[40] = 'X';  // the gzip magic
    const auto corrupt_result = audit_s3::decode_recording(corrupt);
    BOOST_TEST(corrupt_result.error.find("corrupt gzip stream") == 0u, corrupt_result.error);

    // Valid gzip, but the CBOR item is not a map.
    audit_s3::CborBuffer cbor;
    cbor.put_uint(42);
    const std::string not_a_map = recording_of(cbor);
    BOOST_TEST(audit_s3::decode_recording(not_a_map).error == "message 1 is not a CBOR map (after 0 messages)");
}

BOOST_AUTO_TEST_CASE(floats_and_simple_values_where_text_or_null_is_expected_are_handled) {
    // libcbor's cbor_is_null asserts on a float: found by the fuzz target
    // (fuzz/corpus/audit_decoder/regression-float-payload-value).
    audit_s3::CborBuffer cbor;
    cbor.put_map_start(3);
    cbor.put_text("type");
    cbor.put_uint(499);
    cbor.put_text("payload");
    cbor.put_map_start(3);
    cbor.put_text("f");
    cbor.put_double(1.5);
    cbor.put_text("n");
    cbor.put_null();
    cbor.put_text("b");
    cbor.put_bool(true);
    cbor.put_text("channelId");
    cbor.put_null();
    const auto good = audit_s3::decode_recording(recording_of(cbor));
    BOOST_TEST(good.error == "");
    BOOST_REQUIRE(good.messages.size() == 1u);
    BOOST_TEST(payload_json(good.messages[0]) == R"({"f":1.5,"n":null,"b":true})");

    audit_s3::CborBuffer float_channel;
    float_channel.put_map_start(2);
    float_channel.put_text("type");
    float_channel.put_uint(499);
    float_channel.put_text("channelId");
    float_channel.put_double(2.0);
    BOOST_TEST(audit_s3::decode_recording(recording_of(float_channel)).error ==
               "message 1: channelId is neither an unsigned integer nor null (after 0 messages)");
}

BOOST_AUTO_TEST_CASE(the_messages_before_damage_are_kept) {
    std::deque<TestEvent> events;
    typical_session(events, {"x"});
    std::vector<std::size_t> sizes;
    std::string recording = encode_all(Format::binary, events, /*finish=*/false, &sizes);
    recording.resize(sizes[4]);
    recording += std::string(64, '\x55');  // not deflate data
    const auto result = audit_s3::decode_recording(recording);
    BOOST_TEST(result.messages.size() == 5u);
    BOOST_TEST(result.error.find("corrupt gzip stream") == 0u, result.error);
    BOOST_TEST(result.error.find("(after 5 messages)") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_SUITE_END()
