// ExecStream against a scripted WebSocket server: the handshake and its
// refusals, the channels both ways, the Status, back-pressure, faults.
#include "api/exec_stream.hpp"
#include "ws_test_server.hpp"

#include <file_contents.hpp>
#include <temp_dir.hpp>
#include <test_pki.hpp>

#include <containerssh/sdk/testing/fake_host.hpp>
#include <csh/loop_http/connector.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using backend_kubernetes::api::ExecEnd;
using backend_kubernetes::api::ExecRequest;
using backend_kubernetes::api::ExecStream;
using csh::sdk::testing::FakeHost;
using kws_test::Peer;
using kws_test::WsTestServer;

namespace {

const std::string kTarget = "/api/v1/namespaces/ns/pods/p/exec?command=cat&container=c&stdin=true&stdout=true&stderr=true";
const std::string kToken = "Bearer s3cr3t-t0k3n";
const std::string kSuccess = R"({"metadata":{},"status":"Success"})";

std::string exit_status(int code) {
    return R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":")" +
           std::to_string(code) + "\"}]}}";
}

// One client of the stream on a FakeHost loop, recording what it sees.
struct Client {
    explicit Client(uint16_t port, csh::loop_http::Endpoint endpoint = {}) {
        endpoint.kind = csh::loop_http::Endpoint::Kind::tcp;
        endpoint.tcp_host = "127.0.0.1";
        endpoint.tcp_port = port;
        connector = csh::loop_http::Connector::create(host, endpoint);
    }
    ~Client() {
        if (stream) stream->close();
        stream.reset();
        fake.run_until_idle();  // posts still queued hold memory until they ran
        BOOST_TEST(fake.misuse().empty());
    }

    void open(ExecRequest request = {}) {
        if (request.target.empty()) request.target = kTarget;
        if (request.headers.empty()) request.headers = {{"Authorization", kToken}};
        if (request.timeout == 15000ms) request.timeout = 5000ms;
        ExecStream::Callbacks callbacks;
        callbacks.output = [this](csh_stream s, std::string_view data) -> size_t {
            const size_t take = output_hook ? output_hook(s, data) : data.size();
            (s == CSH_STREAM_STDERR ? err : out).append(data.substr(0, take));
            if (take > 0) events.push_back((s == CSH_STREAM_STDERR ? "err:" : "out:") + std::string(data.substr(0, take)));
            return take;
        };
        callbacks.input_ready = [this] {
            ++input_ready;
            if (input_ready_hook) input_ready_hook();
        };
        callbacks.ended = [this](const ExecEnd& e) {
            events.push_back("end");
            end = e;
        };
        callbacks.input_failed = [this](bool closing, const std::string& e) {
            input_error = (closing ? "closing: " : "") + e;
        };
        ExecStream::open(host, strand, connector, std::move(request), std::move(callbacks),
                         [this](std::shared_ptr<ExecStream> s, int status, const std::string& error) {
                             opened = true;
                             stream = std::move(s);
                             open_status = status;
                             open_error = error;
                         });
    }

    bool open_and_wait(ExecRequest request = {}) {
        open(std::move(request));
        BOOST_TEST_REQUIRE(fake.run_until([&] { return opened; }, 10s));
        return stream != nullptr;
    }
    bool wait_end() { return fake.run_until([&] { return end.has_value(); }, 20s); }

    FakeHost fake;
    csh::sdk::Host host{fake.host(), nullptr};
    csh_strand* strand = fake.strand_create();
    std::shared_ptr<const csh::loop_http::Connector> connector;

    std::function<size_t(csh_stream, std::string_view)> output_hook;
    std::function<void()> input_ready_hook;
    bool opened = false;
    std::shared_ptr<ExecStream> stream;
    int open_status = -1;
    std::string open_error;
    std::string out, err, input_error;
    std::vector<std::string> events;
    std::optional<ExecEnd> end;
    int input_ready = 0;
};

size_t open_fds() {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

// Serves the upgrade with `protocol`, recording the request.
kws_test::UpgradeRequest accept(Peer& peer, const std::string& protocol = "v5.channel.k8s.io") {
    auto request = peer.read_request();
    peer.accept(protocol);
    return request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exec_stream)

BOOST_AUTO_TEST_CASE(stdin_echoes_back_and_the_v5_close_ends_it) {
    kws_test::UpgradeRequest seen;
    std::vector<std::string> received;
    WsTestServer server([&](Peer& peer) {
        seen = accept(peer);
        // Echo stdin to stdout in 3-byte pieces until stdin is closed.
        while (auto message = peer.receive()) {
            received.push_back(*message);
            if (*message == std::string("\xff\x00", 2)) break;
            BOOST_REQUIRE(!message->empty() && (*message)[0] == 0);
            for (size_t i = 1; i < message->size(); i += 3) peer.send(1, message->substr(i, 3));
        }
        peer.send(2, "bye\n");
        peer.send(3, kSuccess);
        peer.close();
    });
    Client client(server.port());
    const size_t fds_before = open_fds();
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST(client.open_status == 101);
    BOOST_TEST(client.stream->protocol() == "v5.channel.k8s.io");
    BOOST_TEST(client.stream->write_input("hello ") == 6u);
    BOOST_TEST(client.stream->write_input("world\n") == 6u);
    BOOST_TEST(client.stream->close_input());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(server.finish() == "");

    BOOST_TEST(client.out == "hello world\n");
    BOOST_TEST(client.err == "bye\n");
    BOOST_TEST(client.end->exit_code.value_or(999999) == 0u);
    BOOST_TEST(client.end->error == "");
    BOOST_TEST(client.events.back() == "end");
    BOOST_TEST(client.input_error == "");
    // The request: the target, our headers, both subprotocols in order.
    BOOST_TEST(seen.target == kTarget);
    BOOST_TEST(seen.headers["authorization"] == kToken);
    BOOST_TEST(seen.headers["sec-websocket-protocol"] == "v5.channel.k8s.io, v4.channel.k8s.io");
    // All stdin arrived before the close of channel 0, which came last.
    BOOST_TEST_REQUIRE(received.size() >= 2u);
    BOOST_TEST(received.back() == std::string("\xff\x00", 2));
    std::string stdin_bytes;
    for (size_t i = 0; i + 1 < received.size(); ++i) stdin_bytes += received[i].substr(1);
    BOOST_TEST(stdin_bytes == "hello world\n");
    // Nothing stays open once the stream is gone (its socket, and the
    // reactor of its private io_context that Beast's timer brought).
    client.stream.reset();
    client.fake.run_until_idle();
    BOOST_TEST(open_fds() == fds_before);
}

BOOST_AUTO_TEST_CASE(stdout_and_stderr_keep_their_order_and_a_non_zero_exit_code_arrives) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send(1, "one\n");
        peer.send(2, "two\n");
        peer.send(7, "an unknown channel is skipped");
        peer.send(1, "three\n");
        peer.send(2, "four\n");
        peer.send(3, exit_status(3));
        peer.close();
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(server.finish() == "");
    const std::vector<std::string> expected{"out:one\n", "err:two\n", "out:three\n", "err:four\n", "end"};
    BOOST_TEST(client.events == expected, boost::test_tools::per_element());
    BOOST_TEST(client.end->exit_code.value_or(999999) == 3u);
    BOOST_TEST(client.end->error == "");
}

BOOST_AUTO_TEST_CASE(a_failure_status_ends_with_its_message) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send(3, R"({"metadata":{},"status":"Failure","message":"exec: \"nope\": executable file not found in $PATH","reason":"InternalError"})");
        peer.close();
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(!client.end->exit_code.has_value());
    BOOST_TEST(client.end->error == "exec: \"nope\": executable file not found in $PATH");
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_v4_server_is_spoken_to_in_v4_where_stdin_cannot_be_closed) {
    kws_test::UpgradeRequest seen;
    std::vector<std::string> received;
    WsTestServer server([&](Peer& peer) {
        seen = accept(peer, "v4.channel.k8s.io");
        auto message = peer.receive();
        if (message) received.push_back(*message);
        peer.send(1, "got it");
        peer.send(3, kSuccess);
        peer.close();
        while (auto more = peer.receive()) received.push_back(*more);
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST(client.stream->protocol() == "v4.channel.k8s.io");
    client.stream->write_input("x");
    BOOST_TEST(!client.stream->close_input());  // v4 has no close message: the caller decides
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(server.finish() == "");
    BOOST_TEST(client.out == "got it");
    BOOST_TEST(client.end->exit_code.value_or(999999) == 0u);
    // Only the input went out: no close message in v4.
    const std::vector<std::string> expected{std::string("\0x", 2)};
    BOOST_TEST(received == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_refusal_surfaces_the_status_and_the_servers_message_but_no_secret) {
    WsTestServer server([&](Peer& peer) {
        peer.read_request();
        const std::string body =
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" not found","reason":"NotFound","details":{"name":"p","kind":"pods"},"code":404})";
        peer.write_raw("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
    });
    Client client(server.port());
    BOOST_TEST(!client.open_and_wait());
    BOOST_TEST_MESSAGE("refusal: " << client.open_error);
    BOOST_TEST(client.open_status == 404);
    BOOST_TEST(client.open_error.find("pods \"p\" not found") != std::string::npos, client.open_error);
    BOOST_TEST(client.open_error.find(kTarget) != std::string::npos, client.open_error);
    BOOST_TEST(client.open_error.find("s3cr3t") == std::string::npos);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_close_without_a_status_ends_with_an_error_after_the_output) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send(1, "partial");
        peer.close();
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST_MESSAGE("no status: " << client.end->error);
    BOOST_TEST(client.out == "partial");
    BOOST_TEST(!client.end->exit_code.has_value());
    BOOST_TEST(client.end->error.find("without an exit status") != std::string::npos, client.end->error);
    const std::vector<std::string> expected{"out:partial", "end"};
    BOOST_TEST(client.events == expected, boost::test_tools::per_element());
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_connection_dropped_without_a_close_ends_with_an_error) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send(2, "oops");
        // The thread ends: the socket closes with no WebSocket close.
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST_MESSAGE("dropped: " << client.end->error);
    BOOST_TEST(client.err == "oops");
    BOOST_TEST(!client.end->exit_code.has_value());
    BOOST_TEST(client.end->error.find("without an exit status") != std::string::npos, client.end->error);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(resizes_go_on_channel_4_as_json_and_only_with_a_terminal) {
    std::vector<std::string> received;
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        while (auto message = peer.receive()) {
            received.push_back(*message);
            if (message->find("\"Width\":100") != std::string::npos) break;
        }
        peer.send(3, kSuccess);
        peer.close();
    });
    Client client(server.port());
    ExecRequest request;
    request.tty = true;
    BOOST_TEST_REQUIRE(client.open_and_wait(request));
    client.stream->resize(80, 24);
    client.stream->resize(90, 30);  // may be replaced by the next while the first is out
    client.stream->resize(100, 40);
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(server.finish() == "");
    BOOST_TEST_REQUIRE(received.size() >= 2u);
    BOOST_TEST(received.front() == "\x04{\"Width\":80,\"Height\":24}");
    BOOST_TEST(received.back() == "\x04{\"Width\":100,\"Height\":40}");
    for (const auto& message : received) BOOST_TEST(message[0] == '\x04');
}

BOOST_AUTO_TEST_CASE(a_peer_that_is_no_websocket_server_fails_the_open_cleanly) {
    WsTestServer server([&](Peer& peer) {
        peer.read_request();
        peer.write_raw("SSH-2.0-OpenSSH_9.2\r\n\x01\x02\x03 garbage \xff\xfe\r\n\r\n");
    });
    Client client(server.port());
    BOOST_TEST(!client.open_and_wait());
    BOOST_TEST_MESSAGE("garbage: " << client.open_error);
    BOOST_TEST(client.open_status == 0);
    BOOST_TEST(client.open_error.find("WebSocket handshake for " + kTarget + " failed") != std::string::npos,
               client.open_error);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(garbage_after_the_upgrade_ends_the_stream_with_an_error) {
    WsTestServer server([&](Peer& peer) {
        peer.read_request();
        // A valid 101 needs the accept key: let Beast write it, then garbage.
        peer.accept("v5.channel.k8s.io");
        peer.send(1, "fine");
        peer.write_raw(std::string("\x0f\xff\xff\xff\xff garbage that is no frame", 30));
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST_MESSAGE("garbage frame: " << client.end->error);
    BOOST_TEST(client.out == "fine");
    BOOST_TEST(!client.end->exit_code.has_value());
    BOOST_TEST(!client.end->error.empty());
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_text_message_is_a_protocol_error) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send_text("\x01hello");
        peer.receive();  // until the client goes
    });
    Client client(server.port());
    BOOST_TEST_REQUIRE(client.open_and_wait());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(client.out == "");
    BOOST_TEST(client.end->error.find("text message") != std::string::npos, client.end->error);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_server_choosing_no_offered_subprotocol_is_refused) {
    WsTestServer server([&](Peer& peer) {
        accept(peer, "");
        peer.receive();
    });
    Client client(server.port());
    BOOST_TEST(!client.open_and_wait());
    BOOST_TEST(client.open_error.find("chose no subprotocol") != std::string::npos, client.open_error);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(a_silent_server_times_the_open_out) {
    WsTestServer server([&](Peer& peer) {
        peer.read_request();
        std::this_thread::sleep_for(600ms);
    });
    Client client(server.port());
    ExecRequest request;
    request.timeout = 200ms;
    BOOST_TEST(!client.open_and_wait(request));
    BOOST_TEST(client.open_status == 0);
    BOOST_TEST(client.open_error == "no WebSocket handshake within 200 ms for " + kTarget);
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_CASE(eight_mib_each_way_with_a_stalled_reader_push_back_on_both_ends) {
    constexpr size_t kTotal = 8u << 20;
    auto output_byte = [](size_t i) { return static_cast<char>((i * 131 + i / 4099) & 0xff); };
    auto input_byte = [](size_t i) { return static_cast<char>((i * 7 + i / 65521) & 0xff); };
    std::atomic<size_t> sent{0}, received{0};
    std::atomic<bool> server_reads{false};
    std::string stdin_bytes;
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.small_buffers();
        Peer::Bulk plan;
        plan.total = kTotal;
        plan.pattern = output_byte;
        plan.sent = &sent;
        plan.received = &received;
        plan.stdin_bytes = &stdin_bytes;
        plan.may_read = [&] { return server_reads.load(); };
        peer.bulk(plan);
        peer.send(3, kSuccess);
        peer.close();
    });
    Client client(server.port());
    bool stalled = true;
    size_t most_buffered = 0;
    client.output_hook = [&](csh_stream, std::string_view data) -> size_t {
        most_buffered = std::max(most_buffered, client.stream->buffered());
        return stalled ? 0 : data.size();
    };
    BOOST_TEST_REQUIRE(client.open_and_wait());
    // The kernel's own buffers small on our end too (auto-tuned they hold
    // megabytes), so what piles up is what the stream holds.
    const auto watches = client.fake.watches();
    BOOST_TEST_REQUIRE(watches.size() == 1u);
    const int small = 16 * 1024;
    BOOST_TEST_REQUIRE(::setsockopt(watches[0].fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    BOOST_TEST_REQUIRE(::setsockopt(watches[0].fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);

    // The SSH side writes as fast as the stream takes it.
    size_t written = 0;
    bool input_closed = false;
    std::string chunk;
    auto feed = [&] {
        while (written < kTotal) {
            chunk.clear();
            for (size_t i = written; i < std::min(kTotal, written + 65536); ++i) chunk.push_back(input_byte(i));
            const size_t taken = client.stream->write_input(chunk);
            written += taken;
            most_buffered = std::max(most_buffered, client.stream->buffered());
            if (taken < chunk.size()) return;
        }
        if (!input_closed) input_closed = client.stream->close_input();
    };
    client.input_ready_hook = feed;
    feed();

    // Stalled both ways: the server's writes stop (its stdout fills the
    // socket and our one pending message), our input stops at the limit.
    size_t before = 0;
    BOOST_TEST_REQUIRE(client.fake.run_until([&] {
        client.fake.run_for(100ms);
        const size_t now = sent.load();
        return std::exchange(before, now) == now && now > 0;
    }, 10s));
    BOOST_TEST_MESSAGE("stalled: server sent " << sent.load() << ", client accepted " << written << " of input");
    BOOST_TEST(sent.load() < 1u << 20);
    BOOST_TEST(written < 1u << 20);
    BOOST_TEST(written >= ExecStream::kInputLimit);
    BOOST_TEST(received.load() == 0u);
    BOOST_TEST(client.input_ready == 0);
    BOOST_TEST(client.out.empty());
    BOOST_TEST(client.stream->buffered() <= ExecStream::kInputLimit + 32 * 1024 + 1);

    // Released: everything arrives, in order, and the stream ends well.
    const int normal = 1 << 20;
    ::setsockopt(watches[0].fd, SOL_SOCKET, SO_SNDBUF, &normal, sizeof normal);
    ::setsockopt(watches[0].fd, SOL_SOCKET, SO_RCVBUF, &normal, sizeof normal);
    stalled = false;
    server_reads = true;
    client.stream->resume_output();
    const bool ended = client.wait_end();
    BOOST_TEST_MESSAGE("after: server sent " << sent.load() << " received " << received.load() << ", client out "
                       << client.out.size() << " input " << written << " buffered " << client.stream->buffered());
    BOOST_TEST_REQUIRE(ended);
    BOOST_TEST(server.finish() == "");
    BOOST_TEST(client.end->exit_code.value_or(999999) == 0u);
    BOOST_TEST(client.end->error == "");
    BOOST_TEST(input_closed);
    BOOST_TEST(client.input_ready > 0);
    BOOST_TEST_REQUIRE(client.out.size() == kTotal);
    BOOST_TEST_REQUIRE(stdin_bytes.size() == kTotal);
    size_t out_mismatch = kTotal, in_mismatch = kTotal;
    for (size_t i = 0; i < kTotal && (out_mismatch == kTotal || in_mismatch == kTotal); ++i) {
        if (out_mismatch == kTotal && client.out[i] != output_byte(i)) out_mismatch = i;
        if (in_mismatch == kTotal && stdin_bytes[i] != input_byte(i)) in_mismatch = i;
    }
    BOOST_TEST(out_mismatch == kTotal);
    BOOST_TEST(in_mismatch == kTotal);
    // Memory stayed bounded: at most the input limit and one message.
    BOOST_TEST(most_buffered <= ExecStream::kInputLimit + 32 * 1024 + 1);
}

BOOST_AUTO_TEST_CASE(the_stream_runs_over_tls_verified_with_the_configured_ca) {
    csh::test::TempDir dir;
    const auto pki = csh::test::make_test_pki(dir.path().string());
    constexpr size_t kTotal = 1u << 20;
    auto output_byte = [](size_t i) { return static_cast<char>((i * 13 + i / 1021) & 0xff); };
    std::string stdin_bytes;
    WsTestServer server(
        [&](Peer& peer) {
            accept(peer);
            Peer::Bulk plan;
            plan.total = kTotal;
            plan.chunk = 20000;  // not a multiple of TLS records
            plan.pattern = output_byte;
            plan.stdin_bytes = &stdin_bytes;
            peer.bulk(plan);
            peer.send(3, exit_status(42));
            peer.close();
        },
        kws_test::TlsFiles{pki.server_cert, pki.server_key});
    csh::loop_http::Endpoint endpoint;
    endpoint.tls = true;
    endpoint.cacert_pem = csh::test::read_file(pki.ca_cert);
    Client client(server.port(), endpoint);
    BOOST_TEST_REQUIRE(client.open_and_wait());
    const std::string input(100000, 'i');
    BOOST_TEST(client.stream->write_input(input) == input.size());
    BOOST_TEST(client.stream->close_input());
    BOOST_TEST_REQUIRE(client.wait_end());
    BOOST_TEST(server.finish() == "");
    BOOST_TEST(client.end->exit_code.value_or(999999) == 42u);
    BOOST_TEST(stdin_bytes == input);
    BOOST_TEST_REQUIRE(client.out.size() == kTotal);
    bool same = true;
    for (size_t i = 0; i < kTotal && same; ++i) same = client.out[i] == output_byte(i);
    BOOST_TEST(same);
}

BOOST_AUTO_TEST_CASE(a_server_certificate_from_another_ca_fails_the_open) {
    csh::test::TempDir dir;
    const auto pki = csh::test::make_test_pki(dir.path().string());
    WsTestServer server([&](Peer&) {}, kws_test::TlsFiles{pki.server_cert, pki.server_key});
    csh::loop_http::Endpoint endpoint;
    endpoint.tls = true;
    endpoint.cacert_pem = csh::test::read_file(pki.other_ca_cert);
    Client client(server.port(), endpoint);
    BOOST_TEST(!client.open_and_wait());
    BOOST_TEST_MESSAGE("wrong CA: " << client.open_error);
    BOOST_TEST(client.open_status == 0);
    BOOST_TEST(client.open_error.find("certificate verify failed") != std::string::npos, client.open_error);
    server.finish();  // its TLS handshake fails too
}

BOOST_AUTO_TEST_CASE(close_from_inside_a_callback_stops_everything_at_once) {
    WsTestServer server([&](Peer& peer) {
        accept(peer);
        peer.send(1, "first");
        // The client closes on "first": on a slow machine it is gone before
        // the rest is written, and a write to a closed connection throws.
        // Either order is fine; what is tested is the client's side.
        try {
            peer.send(1, "second");
            peer.send(3, kSuccess);
            peer.receive();  // until the client goes
        } catch (const std::exception&) {
        }
    });
    Client client(server.port());
    client.output_hook = [&](csh_stream, std::string_view data) {
        client.stream->close();
        return data.size();
    };
    BOOST_TEST_REQUIRE(client.open_and_wait());
    client.fake.run_until([&] { return client.out.size() > 0; }, 5s);
    client.fake.run_for(100ms);
    BOOST_TEST(client.out == "first");
    BOOST_TEST(!client.end.has_value());  // no callback after close()
    BOOST_TEST(client.fake.watches().empty());
    BOOST_TEST(server.finish() == "");
}

BOOST_AUTO_TEST_SUITE_END()
