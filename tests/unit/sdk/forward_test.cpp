// The SDK's forwarding wrappers (sdk/forward.hpp, sdk/listen.hpp), driven
// through the C backend table the way the host drives them: the default
// refusals, a forgotten completion, flow control, the exception barrier and
// the host side going quiet after close; a listener's channel attached by
// the host's answer to open_to_client, or dropped when the client refuses.
#include "probe_plugin.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

using namespace csh::sdk::testing;

namespace {

// What the host's forward_open completion received.
struct OpenRecorder {
    int calls = 0;
    csh_status status = CSH_OK;
    csh_backend_forward* channel = nullptr;
    std::string reason;
    csh_forward_open_completion completion() {
        return {[](void* self, const csh_forward_open_result* r) {
                    auto* me = static_cast<OpenRecorder*>(self);
                    ++me->calls;
                    me->status = r->status;
                    me->channel = r->channel;
                    me->reason.assign(r->reason.data, r->reason.size);
                },
                this};
    }
};

// The host side of one forwarding channel: counts what the plugin calls.
// The handle is opaque to plugins: the test's own struct stands behind it.
struct HostSide {
    size_t room = SIZE_MAX;
    std::string written;
    int data_ready = 0, eofs = 0, closes = 0;
    static const csh_forward_host_api* api() {
        static const csh_forward_host_api table = {
            sizeof(csh_forward_host_api), 0,
            [](csh_forward_host* h, csh_bytes d) {
                auto* s = reinterpret_cast<HostSide*>(h);
                const size_t take = std::min(s->room, d.size);
                s->written.append(reinterpret_cast<const char*>(d.data), take);
                return take;
            },
            [](csh_forward_host* h) { ++reinterpret_cast<HostSide*>(h)->data_ready; },
            [](csh_forward_host* h) { ++reinterpret_cast<HostSide*>(h)->eofs; },
            [](csh_forward_host* h) { ++reinterpret_cast<HostSide*>(h)->closes; },
        };
        return &table;
    }
};

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

// The host side of one listener: keeps what open_to_client was given.
struct ListenerSide {
    int opens = 0;
    csh_backend_forward* channel = nullptr;
    std::string originator;
    csh_forward_open_completion done{};
    static const csh_listener_host_api* api() {
        static const csh_listener_host_api table = {
            sizeof(csh_listener_host_api), 0,
            [](csh_listener_host* h, const csh_forward_channel_params* p, csh_backend_forward* c,
               csh_forward_open_completion d) {
                auto* s = reinterpret_cast<ListenerSide*>(h);
                ++s->opens;
                s->channel = c;
                s->originator.assign(p->originator_address.data, p->originator_address.size);
                s->done = d;
            },
        };
        return &table;
    }
};

csh_str str(std::string_view s) { return csh_str{s.data(), s.size()}; }
csh_bytes bytes(std::string_view s) { return csh_bytes{reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct Fixture {
    Fixture() {
        const csh_plugin_descriptor* probe = containerssh_plugin_entry();
        fake.register_codes(probe->message_codes, probe->message_code_count);
    }
    csh::sdk::Host host() { return csh::sdk::Host(fake.host(), "PROBE_INTERNAL_ERROR"); }
    csh_forward_channel_params params() {
        csh_forward_channel_params p{};
        p.struct_size = sizeof p;
        p.kind = CSH_FORWARD_TCPIP;
        p.channel_id = 3;
        p.target = str("127.0.0.1");
        p.target_port = 8080;
        p.originator_address = str("10.0.0.1");
        p.originator_port = 54321;
        p.strand = strand;
        p.host = reinterpret_cast<csh_forward_host*>(&side);
        p.api = HostSide::api();
        return p;
    }
    template <class C>
    csh_backend_connection* hand_over(std::shared_ptr<C> c) {
        return csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::hand_over(std::move(c));
    }
    csh_listen_params listen_params(uint32_t port) {
        csh_listen_params p{};
        p.struct_size = sizeof p;
        p.kind = CSH_FORWARD_TCPIP;
        p.address = str("localhost");
        p.port = port;
        p.strand = strand;
        p.host = reinterpret_cast<csh_listener_host*>(&listener_side);
        p.api = ListenerSide::api();
        return p;
    }
    // The host's answer to open_to_client.
    void answer_open(csh_status status, bool with_host_side) {
        csh_forward_open_result r{};
        r.struct_size = sizeof r;
        r.status = status;
        r.reason = str(status == CSH_OK ? "" : "refused by the client");
        if (with_host_side) {
            r.host = reinterpret_cast<csh_forward_host*>(&side);
            r.api = HostSide::api();
        }
        listener_side.done.complete(listener_side.done.context, &r);
    }
    FakeHost fake;
    csh_strand* strand = fake.strand_create();
    HostSide side;
    ListenerSide listener_side;
    const csh_backend_interface& api = csh::sdk::detail::BackendEntries::table;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(sdk_forwarding, Fixture)

BOOST_AUTO_TEST_CASE(a_backend_that_does_not_override_open_forward_refuses) {
    auto handle = hand_over(std::make_shared<Connection>(host()));
    OpenRecorder done;
    const auto p = params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST(done.calls == 1);
    BOOST_TEST(done.status == CSH_FAILED);
    BOOST_TEST(done.reason == "port forwarding is not supported by this backend");
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_forgotten_completion_answers_failed) {
    auto connection = std::make_shared<ForwardingConnection>(host());
    connection->forget = true;
    auto handle = hand_over(connection);
    OpenRecorder done;
    const auto p = params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST(done.calls == 1);
    BOOST_TEST(done.status == CSH_FAILED);
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
    OpenRecorder done;
    const auto p = params();
    api.forward_open(handle, &p, done.completion());
    BOOST_TEST_REQUIRE(done.status == CSH_OK);
    BOOST_TEST_REQUIRE(done.channel != nullptr);
    std::weak_ptr<Forward> weak = connection->made;
    auto forward = std::exchange(connection->made, nullptr);

    forward->room = 3;
    BOOST_TEST(api.forward_data(done.channel, bytes("hello")) == 3u);  // a partial take
    BOOST_TEST(forward->taken == "hel");
    forward->throw_on_data = true;
    BOOST_TEST(api.forward_data(done.channel, bytes("lo")) == 2u);  // the barrier takes it all
    api.forward_eof(done.channel);
    BOOST_TEST(forward->eof_seen);

    side.room = 2;
    BOOST_TEST(forward->forward_host().write("abc") == 2u);
    BOOST_TEST(side.written == "ab");
    forward->forward_host().data_ready();
    forward->forward_host().eof();
    forward->forward_host().closed();
    BOOST_TEST(side.data_ready == 1);
    BOOST_TEST(side.eofs == 1);
    BOOST_TEST(side.closes == 1);

    api.forward_close(done.channel);
    BOOST_TEST(forward->closed);
    // After close the host side is quiet.
    BOOST_TEST(forward->forward_host().write("more") == 0u);
    forward->forward_host().closed();
    BOOST_TEST(side.closes == 1);
    forward.reset();
    BOOST_TEST(weak.expired());  // the host's reference went with close
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_backend_that_does_not_override_listen_refuses) {
    auto handle = hand_over(std::make_shared<Connection>(host()));
    struct {
        csh_status status = CSH_OK;
        std::string reason;
    } got;
    const auto p = listen_params(0);
    api.listen_start(handle, &p, {[](void* self, const csh_listen_result* r) {
                                      auto* g = static_cast<decltype(got)*>(self);
                                      g->status = r->status;
                                      g->reason.assign(r->reason.data, r->reason.size);
                                  },
                                  &got});
    BOOST_TEST(got.status == CSH_FAILED);
    BOOST_TEST(got.reason == "remote port forwarding is not supported by this backend");
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_CASE(a_listeners_channel_is_attached_when_the_client_accepts_and_dropped_when_it_refuses) {
    auto connection = std::make_shared<ListeningConnection>(host());
    auto handle = hand_over(connection);
    struct {
        csh_backend_listener* listener = nullptr;
        uint32_t port = 0;
    } started;
    const auto p = listen_params(0);
    api.listen_start(handle, &p, {[](void* self, const csh_listen_result* r) {
                                      auto* s = static_cast<decltype(started)*>(self);
                                      s->listener = r->listener;
                                      s->port = r->bound_port;
                                  },
                                  &started});
    BOOST_TEST_REQUIRE(started.listener != nullptr);
    BOOST_TEST(started.port == 40022u);
    BOOST_TEST(connection->seen.address == "localhost");
    auto listener = std::exchange(connection->made, nullptr);

    // Accepted: the forward's host side is the one the host answered with.
    csh::sdk::ForwardParams accepted;
    accepted.originator_address = "10.0.0.9";
    accepted.originator_port = 50000;
    auto forward = std::make_shared<Forward>(host(), accepted);
    std::optional<csh_status> heard;
    listener->listener_host().open_to_client(accepted, forward, [&](csh_status st, std::string_view) { heard = st; });
    BOOST_TEST(listener_side.opens == 1);
    BOOST_TEST(listener_side.originator == "10.0.0.9");
    BOOST_TEST(!heard.has_value());
    BOOST_TEST(forward->forward_host().write("x") == 0u);  // not attached before the answer
    answer_open(CSH_OK, true);
    BOOST_TEST((heard == CSH_OK));
    BOOST_TEST(forward->forward_host().write("hi") == 2u);
    BOOST_TEST(side.written == "hi");
    api.forward_close(listener_side.channel);
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
    answer_open(CSH_FAILED, false);
    BOOST_TEST((heard == CSH_FAILED));
    BOOST_TEST(why == "refused by the client");
    BOOST_TEST(weak.expired());

    // Stopped: the listener's host side is detached.
    std::optional<csh_status> stop_status;
    api.listen_stop(started.listener, {[](void* self, csh_status st, csh_str) {
                                           *static_cast<std::optional<csh_status>*>(self) = st;
                                       },
                                       &stop_status});
    BOOST_TEST((stop_status == CSH_OK));
    BOOST_TEST(listener->stopped);
    BOOST_TEST(!listener->listener_host().attached());
    csh::sdk::detail::HandleGlue<csh::sdk::BackendConnection, csh_backend_connection>::take_back(handle);
}

BOOST_AUTO_TEST_SUITE_END()
