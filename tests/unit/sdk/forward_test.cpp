// The SDK's forwarding wrappers (sdk/forward.hpp, sdk/listen.hpp), driven
// through the C backend table the way the host drives them: the default
// refusals, a forgotten completion, flow control, the exception barrier and
// the host side going quiet after close; a listener's channel attached by
// the host's answer to open_to_client, or dropped when the client refuses.
// The host sides are the installed fakes (FakeForwardHost, FakeListenerHost),
// whose own recording is checked at the end.
#include "probe_plugin.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/testing/fake_forward_host.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/fake_listener_host.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace csh::sdk::testing;

namespace {

class Forward final : public csh::sdk::BackendForward {
public:
    using BackendForward::BackendForward;
    size_t room = SIZE_MAX;
    bool throw_on_data = false;
    std::string taken;
    bool eof_seen = false, closed = false;
    size_t data(std::string_view bytes) override {
        if (throw_on_data) throw std::runtime_error("broken");
        const size_t take = std::min(room, bytes.size());
        taken.append(bytes.substr(0, take));
        return take;
    }
    void eof() override { eof_seen = true; }
    void output_ready() override {}
    void close() override { closed = true; }
};

class Connection : public csh::sdk::BackendConnection {
public:
    using BackendConnection::BackendConnection;
    std::shared_ptr<csh::sdk::BackendSession> open_session(const csh::sdk::SessionParams&) override { return nullptr; }
    void close(csh::sdk::StatusCompletion done) override { done.ok(); }
};

// Forwards when asked to, keeping the completion when told to hold it.
class ForwardingConnection final : public Connection {
public:
    using Connection::Connection;
    bool forget = false;
    std::shared_ptr<Forward> made;
    csh::sdk::ForwardParams seen;
    void open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) override {
        seen = params;
        if (forget) return;  // the completion's destructor answers
        made = std::make_shared<Forward>(host(), params);
        done.success(made);
    }
};

// Listens when asked to, reporting a port of its choice.
class Listener final : public csh::sdk::BackendListener {
public:
    using BackendListener::BackendListener;
    bool stopped = false;
    void stop(csh::sdk::StatusCompletion done) override {
        stopped = true;
        done.ok();
    }
};

class ListeningConnection final : public Connection {
public:
    using Connection::Connection;
    std::shared_ptr<Listener> made;
    csh::sdk::ListenParams seen;
    void listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) override {
        seen = params;
        made = std::make_shared<Listener>(host(), params);
        done.success(made, 40022);
    }
};

csh_str str(std::string_view s) { return csh_str{s.data(), s.size()}; }
csh_bytes bytes(std::string_view s) { return csh_bytes{reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct Fixture {
    Fixture() {
        const csh_plugin_descriptor* probe = containerssh_plugin_entry();
        fake.register_codes(probe->message_codes, probe->message_code_count);
        side.set_target("127.0.0.1", 8080);
        side.set_originator("10.0.0.1", 54321);
        listener_side.set_address("localhost", 0);
    }
    csh::sdk::Host host() { return csh::sdk::Host(fake.host(), "PROBE_INTERNAL_ERROR"); }
    template <class C>
    csh_backend_connection* hand_over(std::shared_ptr<C> c) {
        return csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::hand_over(std::move(c));
    }
    FakeHost fake;
    csh_strand* strand = fake.strand_create();
    FakeForwardHost side{strand, 3};
    FakeListenerHost listener_side{strand};
    const csh_backend_interface& api = csh::sdk::detail::BackendEntries::table;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(sdk_forwarding, Fixture)

BOOST_AUTO_TEST_CASE(a_backend_that_does_not_override_open_forward_refuses) {
    auto handle = hand_over(std::make_shared<Connection>(host()));
    ForwardOpenRecorder done;
    const auto p = side.params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST(done.calls() == 1u);
    BOOST_TEST(done.answer().status == CSH_FAILED);
    BOOST_TEST(done.answer().reason == "port forwarding is not supported by this backend");
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_forgotten_completion_answers_failed) {
    auto connection = std::make_shared<ForwardingConnection>(host());
    connection->forget = true;
    auto handle = hand_over(connection);
    ForwardOpenRecorder done;
    const auto p = side.params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST(done.calls() == 1u);
    BOOST_TEST(done.answer().status == CSH_FAILED);
    BOOST_TEST(connection->seen.target == "127.0.0.1");
    BOOST_TEST(connection->seen.target_port == 8080u);
    BOOST_TEST(connection->seen.originator_address == "10.0.0.1");
    BOOST_TEST(connection->seen.originator_port == 54321u);
    BOOST_TEST(connection->seen.channel_id == 3u);
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(bytes_flow_both_ways_with_flow_control_until_close) {
    auto connection = std::make_shared<ForwardingConnection>(host());
    auto handle = hand_over(connection);
    ForwardOpenRecorder done;
    const auto p = side.params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST_REQUIRE(done.calls() == 1u);
    BOOST_TEST_REQUIRE(done.answer().status == CSH_OK);
    csh_backend_forward* const channel = done.answer().channel;
    BOOST_TEST_REQUIRE(channel != nullptr);
    BOOST_TEST(done.answer().host == nullptr);  // forward_open's params carried the host side
    std::weak_ptr<Forward> weak = connection->made;
    auto forward = std::exchange(connection->made, nullptr);

    forward->room = 3;
    BOOST_TEST(api.forward_data(channel, bytes("hello")) == 3u);  // a partial take
    BOOST_TEST(forward->taken == "hel");
    forward->throw_on_data = true;
    BOOST_TEST(api.forward_data(channel, bytes("lo")) == 2u);  // the barrier takes it all
    api.forward_eof(channel);
    BOOST_TEST(forward->eof_seen);

    side.set_write_budget(2);
    BOOST_TEST(forward->forward_host().write("abc") == 2u);
    BOOST_TEST(side.written() == "ab");
    BOOST_TEST(side.short_writes() == 1u);
    forward->forward_host().data_ready();
    forward->forward_host().eof();
    forward->forward_host().closed();
    BOOST_TEST(side.data_ready_calls() == 1u);
    BOOST_TEST(side.eof_calls() == 1u);
    BOOST_TEST(side.closed_calls() == 1u);

    api.forward_close(channel);
    side.mark_forward_closed();
    BOOST_TEST(forward->closed);
    // After close the host side is quiet.
    BOOST_TEST(forward->forward_host().write("more") == 0u);
    forward->forward_host().closed();
    BOOST_TEST(side.closed_calls() == 1u);
    BOOST_TEST(side.write_calls() == 1u);
    BOOST_TEST(side.violations().empty());
    forward.reset();
    BOOST_TEST(weak.expired());  // the host's reference went with close
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_backend_that_does_not_override_listen_refuses) {
    auto handle = hand_over(std::make_shared<Connection>(host()));
    ListenRecorder got;
    const auto p = listener_side.params();
    api.listen_start(handle, &p, got.completion());
    BOOST_TEST_REQUIRE(got.calls() == 1u);
    BOOST_TEST(got.answer().status == CSH_FAILED);
    BOOST_TEST(got.answer().reason == "remote port forwarding is not supported by this backend");
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_listeners_channel_is_attached_when_the_client_accepts_and_dropped_when_it_refuses) {
    auto connection = std::make_shared<ListeningConnection>(host());
    auto handle = hand_over(connection);
    ListenRecorder started;
    const auto p = listener_side.params();
    api.listen_start(handle, &p, started.completion());
    BOOST_TEST_REQUIRE(started.calls() == 1u);
    BOOST_TEST_REQUIRE(started.answer().listener != nullptr);
    BOOST_TEST(started.answer().bound_port == 40022u);
    BOOST_TEST(connection->seen.address == "localhost");
    auto listener = std::exchange(connection->made, nullptr);

    // Accepted: the forward's host side is the one the host answered with.
    csh::sdk::ForwardParams accepted;
    accepted.originator_address = "10.0.0.9";
    accepted.originator_port = 50000;
    auto forward = std::make_shared<Forward>(host(), accepted);
    std::optional<csh_status> heard;
    listener->listener_host().open_to_client(accepted, forward, [&](csh_status st, std::string_view) { heard = st; });
    BOOST_TEST_REQUIRE(listener_side.opens().size() == 1u);
    BOOST_TEST(listener_side.opens()[0].originator_address == "10.0.0.9");
    BOOST_TEST(listener_side.opens()[0].originator_port == 50000u);
    BOOST_TEST(!heard.has_value());
    BOOST_TEST(forward->forward_host().write("x") == 0u);  // not attached before the answer
    listener_side.accept(0, side);
    BOOST_TEST((heard == CSH_OK));
    BOOST_TEST(forward->forward_host().write("hi") == 2u);
    BOOST_TEST(side.written() == "hi");
    api.forward_close(listener_side.opens()[0].channel);
    side.mark_forward_closed();
    BOOST_TEST(forward->closed);

    // Refused: the SDK drops the host's reference; the host never calls the forward.
    auto refused = std::make_shared<Forward>(host(), accepted);
    std::weak_ptr<Forward> weak = refused;
    std::string why;
    listener->listener_host().open_to_client(accepted, std::move(refused),
                                             [&](csh_status st, std::string_view reason) {
                                                 heard = st;
                                                 why = std::string(reason);
                                             });
    listener_side.refuse(1, "refused by the client");
    BOOST_TEST((heard == CSH_FAILED));
    BOOST_TEST(why == "refused by the client");
    BOOST_TEST(weak.expired());

    // Stopped: the listener's host side is detached.
    StatusRecorder stop;
    api.listen_stop(started.answer().listener, stop.completion());
    listener_side.mark_stopped();
    BOOST_TEST_REQUIRE(stop.calls() == 1u);
    BOOST_TEST(stop.answer().status == CSH_OK);
    BOOST_TEST(listener->stopped);
    BOOST_TEST(!listener->listener_host().attached());
    // ...so a later open fails inside the SDK and never reaches the host.
    std::optional<csh_status> late;
    listener->listener_host().open_to_client(accepted, std::make_shared<Forward>(host(), accepted),
                                             [&](csh_status st, std::string_view) { late = st; });
    BOOST_TEST((late == CSH_FAILED));
    BOOST_TEST(listener_side.opens().size() == 2u);
    BOOST_TEST(listener_side.pending() == 0u);
    BOOST_TEST(listener_side.violations().empty());
    BOOST_TEST(side.violations().empty());
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

// The fakes themselves, called through their C tables as a plugin written in
// C would: what a test of such a plugin relies on them to notice.
BOOST_AUTO_TEST_CASE(the_fake_forward_host_records_in_order_and_lists_what_the_abi_forbids) {
    const auto p = side.params();
    BOOST_TEST(p.kind == CSH_FORWARD_TCPIP);
    BOOST_TEST(p.channel_id == 3u);
    BOOST_TEST(std::string(p.target.data, p.target.size) == "127.0.0.1");
    BOOST_TEST(p.target_port == 8080u);
    BOOST_TEST(std::string(p.originator_address.data, p.originator_address.size) == "10.0.0.1");
    BOOST_TEST(p.originator_port == 54321u);
    BOOST_TEST(p.strand == strand);
    BOOST_TEST_REQUIRE(p.api->struct_size == sizeof(csh_forward_host_api));

    side.set_write_budget(4);
    BOOST_TEST(p.api->write(p.host, bytes("ab")) == 2u);
    BOOST_TEST(p.api->write(p.host, bytes("cde")) == 2u);  // short
    BOOST_TEST(p.api->write(p.host, bytes("f")) == 0u);    // nothing taken
    side.set_write_budget(std::nullopt);
    p.api->data_ready(p.host);
    p.api->write(p.host, bytes("g"));
    p.api->eof(p.host);
    BOOST_TEST(side.violations().empty());

    p.api->write(p.host, bytes("h"));
    p.api->eof(p.host);
    p.api->closed(p.host);
    p.api->closed(p.host);
    side.mark_forward_closed();
    p.api->data_ready(p.host);

    BOOST_TEST(side.written() == "abcdgh");
    BOOST_TEST(side.write_calls() == 5u);
    BOOST_TEST(side.short_writes() == 2u);
    BOOST_TEST(side.eof_calls() == 2u);
    BOOST_TEST(side.closed_calls() == 2u);
    const std::vector<std::string> events{"write", "data-ready", "write", "eof", "write", "eof", "closed", "closed",
                                          "data-ready"};
    BOOST_TEST(side.events() == events, boost::test_tools::per_element());
    const std::vector<std::string> violations{"write after eof", "eof called twice", "closed called twice",
                                              "data_ready after forward_close"};
    BOOST_TEST(side.violations() == violations, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_fake_listener_host_answers_pending_opens_in_any_order) {
    listener_side.set_address("0.0.0.0", 2222);
    const auto p = listener_side.params();
    BOOST_TEST(p.kind == CSH_FORWARD_TCPIP);
    BOOST_TEST(std::string(p.address.data, p.address.size) == "0.0.0.0");
    BOOST_TEST(p.port == 2222u);
    BOOST_TEST(p.session == nullptr);
    BOOST_TEST(p.strand == strand);

    // Two connections accepted; the channels are opaque tokens to the fake.
    int first_token = 0, second_token = 0;
    auto* first = reinterpret_cast<csh_backend_forward*>(&first_token);
    auto* second = reinterpret_cast<csh_backend_forward*>(&second_token);
    csh_forward_channel_params open{};
    open.struct_size = sizeof open;
    open.kind = CSH_FORWARD_TCPIP;
    open.originator_address = str("10.0.0.7");
    open.originator_port = 40001;
    ForwardOpenRecorder first_done, second_done;
    p.api->open_to_client(p.host, &open, first, first_done.completion());
    open.originator_port = 40002;
    p.api->open_to_client(p.host, &open, second, second_done.completion());
    BOOST_TEST(first_done.calls() == 0u);  // answered later, never inside the call
    BOOST_TEST_REQUIRE(listener_side.opens().size() == 2u);
    BOOST_TEST(listener_side.pending() == 2u);
    BOOST_TEST(listener_side.opens()[0].kind == CSH_FORWARD_TCPIP);
    BOOST_TEST(listener_side.opens()[0].originator_address == "10.0.0.7");
    BOOST_TEST(listener_side.opens()[0].originator_port == 40001u);
    BOOST_TEST(listener_side.opens()[1].originator_port == 40002u);
    BOOST_TEST(listener_side.opens()[1].channel == second);

    listener_side.refuse(1, "the connection ended", CSH_UNAVAILABLE);
    BOOST_TEST(listener_side.pending() == 1u);
    BOOST_TEST_REQUIRE(second_done.calls() == 1u);
    BOOST_TEST(second_done.answer().status == CSH_UNAVAILABLE);
    BOOST_TEST(second_done.answer().reason == "the connection ended");
    BOOST_TEST(second_done.answer().host == nullptr);

    listener_side.accept(0, side);
    BOOST_TEST(listener_side.pending() == 0u);
    BOOST_TEST_REQUIRE(first_done.calls() == 1u);
    BOOST_TEST(first_done.answer().status == CSH_OK);
    BOOST_TEST(first_done.answer().channel == nullptr);  // as the host: the plugin named it in the call
    BOOST_TEST(first_done.answer().host == side.host());
    BOOST_TEST(first_done.answer().api == side.api());
    BOOST_CHECK_THROW(listener_side.accept(0, side), std::logic_error);  // the test's own mistake
    BOOST_TEST(first_done.calls() == 1u);
    BOOST_TEST(listener_side.violations().empty());

    listener_side.mark_stopped();
    ForwardOpenRecorder late;
    p.api->open_to_client(p.host, &open, first, late.completion());
    const std::vector<std::string> violations{"open_to_client after listen_stop"};
    BOOST_TEST(listener_side.violations() == violations, boost::test_tools::per_element());
    listener_side.refuse(2, "the listener was stopped");
    BOOST_TEST(late.calls() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
