// forward-server's X11 setup: a display chosen on 127.0.0.1, the client's
// cookie in the authority file (read back with the real xauth), and X
// clients' connections brought to the gateway.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <string>

#include "forward_peer.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

using namespace csh::agent::test;

namespace {

constexpr const char* kCookie = "00112233445566778899aabbccddeeff";

fw::SetupPacket x11_setup(bool extensions, bool single_connection = false, const std::string& cookie = kCookie) {
    fw::SetupPacket setup;
    setup.connection_type = fw::kX11;
    setup.protocol = "tcp";
    setup.screen = "0";
    setup.single_connection = single_connection;
    setup.auth_protocol = "MIT-MAGIC-COOKIE-1";
    setup.auth_cookie = cookie;
    setup.has_extensions = extensions;
    if (extensions) setup.extensions = {fw::kExtensionListenInfo, fw::kExtensionEof, fw::kExtensionWindow};
    return setup;
}

// The agent with XAUTHORITY pointing into a scratch directory.
struct X11Agent {
    csh::test::TempDir dir;
    std::string authority = (dir.path() / "Xauthority").string();
    ForwardPeer agent{{"XAUTHORITY=" + authority}};
};

std::string xauth_list(const std::string& file) {
    const auto r = csh::test::run({"xauth", "-f", file, "list"});
    BOOST_TEST(r.exit_code == 0, r.err);
    return r.out;
}

std::string hostname() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

// Holds 127.0.0.1:port while it lives (false when someone else has it).
struct HeldPort {
    explicit HeldPort(std::uint16_t port) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        const sockaddr_in a = loopback_address(port);
        held = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, 1) == 0;
    }
    ~HeldPort() { ::close(fd); }
    int fd;
    bool held = false;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(forward_server_x11)

BOOST_AUTO_TEST_CASE(listens_on_a_display_and_writes_the_cookie_for_it) {
    X11Agent x;
    x.agent.send_setup(x11_setup(true));
    const fw::Packet answer = x.agent.expect();
    BOOST_REQUIRE_MESSAGE(answer.type == fw::kSuccess, x.agent.stderr_text());
    fw::SetupReply reply;
    BOOST_REQUIRE(fw::decode_setup_reply(answer.payload, reply) == fw::DecodeError::kNone);
    BOOST_TEST(reply.display >= 10u);
    BOOST_TEST(reply.display <= 99u);
    // What `xauth add unix:N MIT-MAGIC-COOKIE-1 COOKIE` would have written.
    const std::string expected =
        hostname() + "/unix:" + std::to_string(reply.display) + "  MIT-MAGIC-COOKIE-1  " + kCookie;
    BOOST_TEST(xauth_list(x.authority).find(expected) != std::string::npos, xauth_list(x.authority));

    // An X client's connection comes to the gateway like a forwarded one.
    const int client = connect_tcp(static_cast<std::uint16_t>(6000 + reply.display));
    const fw::Packet opened = x.agent.expect();
    BOOST_REQUIRE(opened.type == fw::kNewConnection);
    fw::NewConnectionPayload from;
    BOOST_REQUIRE(fw::decode_new_connection(opened.payload, from) == fw::DecodeError::kNone);
    BOOST_TEST(from.originator_address == "127.0.0.1");
    x.agent.send(fw::kSuccess, opened.connection_id);
    write_all_or_fail(client, "X11 setup bytes");
    BOOST_TEST(x.agent.read_data(opened.connection_id, 15) == "X11 setup bytes");
    ::close(client);
    x.agent.close_stdin();
    BOOST_TEST(x.agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(a_taken_display_is_skipped_and_other_entries_are_kept) {
    X11Agent x;
    const auto added = csh::test::run({"xauth", "-f", x.authority, "add", "elsewhere/unix:3", "MIT-MAGIC-COOKIE-1",
                                       "ffeeddccbbaa99887766554433221100"});
    BOOST_REQUIRE(added.exit_code == 0);
    HeldPort taken(6010);
    x.agent.send_setup(x11_setup(true));
    const fw::Packet answer = x.agent.expect();
    BOOST_REQUIRE_MESSAGE(answer.type == fw::kSuccess, x.agent.stderr_text());
    fw::SetupReply reply;
    BOOST_REQUIRE(fw::decode_setup_reply(answer.payload, reply) == fw::DecodeError::kNone);
    if (taken.held) BOOST_TEST(reply.display != 10u);
    const std::string list = xauth_list(x.authority);
    BOOST_TEST(list.find("elsewhere/unix:3  MIT-MAGIC-COOKIE-1  ffeeddccbbaa99887766554433221100") != std::string::npos,
               list);
    BOOST_TEST(list.find("/unix:" + std::to_string(reply.display) + "  MIT-MAGIC-COOKIE-1  " + kCookie) !=
                   std::string::npos,
               list);
    x.agent.close_stdin();
    BOOST_TEST(x.agent.wait_exit() == 0);
}

// ContainerSSH's gateway sets DISPLAY=localhost:10 and cannot learn
// another display: without extensions only 10 will do.
BOOST_AUTO_TEST_CASE(without_extensions_only_display_10_is_used) {
    X11Agent x;
    HeldPort taken(6010);
    BOOST_REQUIRE_MESSAGE(taken.held, "127.0.0.1:6010 is in use on this machine");
    x.agent.send_setup(x11_setup(false));
    const fw::Packet answer = x.agent.expect();
    BOOST_TEST(answer.type == fw::kError);
    BOOST_TEST(x.agent.wait_exit() == 1);
    BOOST_TEST(x.agent.stderr_text().find("no free X11 display") != std::string::npos, x.agent.stderr_text());
}

BOOST_AUTO_TEST_CASE(single_connection_accepts_one_client_only) {
    X11Agent x;
    x.agent.send_setup(x11_setup(true, true));
    const fw::Packet answer = x.agent.expect();
    BOOST_REQUIRE(answer.type == fw::kSuccess);
    fw::SetupReply reply;
    BOOST_REQUIRE(fw::decode_setup_reply(answer.payload, reply) == fw::DecodeError::kNone);
    const auto port = static_cast<std::uint16_t>(6000 + reply.display);
    const int first = connect_tcp(port);
    BOOST_TEST(x.agent.expect().type == fw::kNewConnection);
    BOOST_TEST(try_connect_tcp(port) < 0);  // the display no longer listens
    ::close(first);
    x.agent.close_stdin();
    BOOST_TEST(x.agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(a_cookie_that_is_not_hex_is_refused) {
    X11Agent x;
    x.agent.send_setup(x11_setup(true, false, "not hex"));
    BOOST_TEST(x.agent.expect().type == fw::kError);
    BOOST_TEST(x.agent.wait_exit() == 1);
    BOOST_TEST(x.agent.stderr_text().find("not hexadecimal") != std::string::npos, x.agent.stderr_text());
}

BOOST_AUTO_TEST_SUITE_END()
