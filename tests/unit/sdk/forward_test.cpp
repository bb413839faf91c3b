// The SDK's forwarding wrappers (sdk/forward.hpp), driven through the C
// backend table the way the host drives them: the default refusal, a
// forgotten completion, flow control, the exception barrier and the host
// side going quiet after close.
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
    FakeHost fake;
    csh_strand* strand = fake.strand_create();
    HostSide side;
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

BOOST_AUTO_TEST_SUITE_END()
