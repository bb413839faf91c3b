// The SDK's ProgramSession, driven through the C backend table the way the
// host drives it, with a scripted backend whose program the test plays.
#include "probe_plugin.hpp"

#include <containerssh/sdk/program_session.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/fake_session_host.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace csh::sdk::testing;
using csh::sdk::ProgramExit;
using csh::sdk::ProgramSession;

namespace {

// A backend whose program is the test: it records what the SDK asks of it
// and reports what the test tells it to.
class ScriptedSession final : public ProgramSession {
public:
    using ProgramSession::deliver_output;
    using ProgramSession::input_ready;
    using ProgramSession::output_ended;
    using ProgramSession::program_exited;

    ScriptedSession(csh::sdk::Host host, const csh::sdk::SessionParams& params)
        : ProgramSession(std::move(host), params) {}

    std::vector<csh::sdk::Program> started;
    std::optional<csh::sdk::StartCompletion> start_done;
    bool offer_shell = false;
    size_t input_room = SIZE_MAX;
    std::string input;
    bool input_closed = false;
    int pauses = 0;
    int resumes = 0;
    std::optional<Phase> stopped_in;

private:
    bool offers(const csh::sdk::Program& program) const override {
        return program.kind == csh::sdk::ProgramKind::exec || offer_shell;
    }
    void start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) override {
        started.push_back(program);
        start_done.emplace(std::move(done));
    }
    size_t write_input(std::string_view data) override {
        const size_t take = std::min(input_room, data.size());
        input.append(data.substr(0, take));
        input_room -= take;
        return take;
    }
    void close_input() override { input_closed = true; }
    void pause_output() override { ++pauses; }
    void resume_output() override { ++resumes; }
    void stop(Phase before) override { stopped_in = before; }
};

// A view, not a copy: a literal stays valid for the whole test, a temporary
// std::string would not.
csh_str str(std::string_view s) { return csh_str{s.data(), s.size()}; }

struct Fixture {
    Fixture() {
        const csh_plugin_descriptor* probe = containerssh_plugin_entry();
        host.register_codes(probe->message_codes, probe->message_code_count);
        const csh_session_params params = side.params();
        session = std::make_shared<ScriptedSession>(csh::sdk::Host(host.host(), "PROBE_INTERNAL_ERROR"),
                                                    csh::sdk::SessionParams(params));
        handle = csh::sdk::detail::HandleGlue<csh::sdk::BackendSession, csh_backend_session>::hand_over(session);
    }
    ~Fixture() {
        if (!closed) api.session_close(handle);
    }

    StatusRecorder exec(const std::string& command) {
        StatusRecorder done;
        api.session_exec(handle, str(command), done.completion());
        return done;
    }
    StatusAnswer now(const std::function<void(csh_status_completion)>& call) {
        StatusRecorder done;
        call(done.completion());
        BOOST_TEST_REQUIRE(done.calls() == 1u);
        return done.answer();
    }
    StatusAnswer env(const std::string& name, const std::string& value) {
        return now([&](csh_status_completion c) { api.session_env(handle, str(name), str(value), c); });
    }
    size_t send(const std::string& data) {
        return api.session_stdin(handle, csh_bytes{reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    }
    void close() {
        api.session_close(handle);
        closed = true;
    }

    FakeHost host;
    csh_strand* strand = host.strand_create();
    FakeSessionHost side{strand};
    const csh_backend_interface& api = csh::sdk::detail::BackendEntries::table;
    std::shared_ptr<ScriptedSession> session;
    csh_backend_session* handle = nullptr;
    bool closed = false;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(program_session, Fixture)

BOOST_AUTO_TEST_CASE(env_and_pty_are_collected_and_refused_after_the_start) {
    BOOST_TEST(env("LANG", "C").status == CSH_OK);
    BOOST_TEST(env("BAD=NAME", "x").status == CSH_FAILED);
    StatusRecorder started = exec("ls");
    BOOST_TEST(started.calls() == 0u);  // the backend has not answered yet
    BOOST_TEST_REQUIRE(session->started.size() == 1u);
    BOOST_TEST(session->started[0].command == "ls");
    BOOST_TEST(session->environment().size() == 1u);
    BOOST_TEST(env("LATE", "1").status == CSH_FAILED);
    BOOST_TEST(exec("second").answer().status == CSH_FAILED);
    BOOST_TEST(session->started.size() == 1u);
    session->start_done->ok();
    BOOST_TEST(started.answer().status == CSH_OK);
    BOOST_TEST((session->phase() == ProgramSession::Phase::running));
}

BOOST_AUTO_TEST_CASE(shell_and_subsystem_are_refused_unless_offered) {
    BOOST_TEST(now([&](csh_status_completion c) { api.session_shell(handle, c); }).status == CSH_FAILED);
    BOOST_TEST(now([&](csh_status_completion c) { api.session_subsystem(handle, str("sftp"), c); }).status ==
               CSH_FAILED);
    BOOST_TEST(session->started.empty());
    session->offer_shell = true;
    StatusRecorder shell;
    api.session_shell(handle, shell.completion());
    BOOST_TEST_REQUIRE(session->started.size() == 1u);
    BOOST_TEST(session->started[0].kind_name() == std::string("shell"));
    session->start_done->ok();  // answered while `shell` still lives
    BOOST_TEST(shell.answer().status == CSH_OK);
}

BOOST_AUTO_TEST_CASE(a_failed_or_dropped_start_lets_the_client_try_again) {
    StatusRecorder first = exec("missing");
    session->start_done->fail("no such program");
    BOOST_TEST(first.answer().status == CSH_FAILED);
    BOOST_TEST((session->phase() == ProgramSession::Phase::collecting));
    StatusRecorder second = exec("dropped");
    session->start_done.reset();  // the backend forgets it
    BOOST_TEST(second.answer().status == CSH_FAILED);
    BOOST_TEST((session->phase() == ProgramSession::Phase::collecting));
    StatusRecorder third = exec("works");
    session->start_done->ok();
    BOOST_TEST(third.answer().status == CSH_OK);
    BOOST_TEST(session->started.size() == 3u);
}

BOOST_AUTO_TEST_CASE(early_stdin_is_handed_over_in_order_before_newer_input_then_eof) {
    BOOST_TEST(send("one ") == 4u);
    api.session_stdin_eof(handle);
    StatusRecorder started = exec("cat");
    BOOST_TEST(session->input.empty());
    session->input_room = 2;
    session->start_done->ok();
    BOOST_TEST(session->input == "on");
    BOOST_TEST(!session->input_closed);  // EOF waits for the held input
    session->input_room = SIZE_MAX;
    session->input_ready();
    BOOST_TEST(session->input == "one ");
    BOOST_TEST(session->input_closed);
}

BOOST_AUTO_TEST_CASE(early_stdin_beyond_the_bound_shuts_the_window_until_handed_over) {
    const std::string big(ProgramSession::kEarlyInputLimit + 10, 'x');
    BOOST_TEST(send(big) == ProgramSession::kEarlyInputLimit);
    BOOST_TEST(send("more") == 0u);
    StatusRecorder started = exec("cat");
    BOOST_TEST(side.stdin_ready_calls() == 0u);
    session->start_done->ok();
    BOOST_TEST(session->input.size() == ProgramSession::kEarlyInputLimit);
    BOOST_TEST(side.stdin_ready_calls() == 1u);  // the client may send the rest now
    BOOST_TEST(send("more") == 4u);
}

BOOST_AUTO_TEST_CASE(a_terminal_ignores_the_clients_eof) {
    csh_pty_request pty{sizeof(csh_pty_request), 80, 24, 0, 0, 0, str("xterm"), {nullptr, 0}};
    BOOST_TEST(now([&](csh_status_completion c) { api.session_pty(handle, &pty, c); }).status == CSH_OK);
    StatusRecorder started = exec("sh");
    session->start_done->ok();
    api.session_stdin_eof(handle);
    BOOST_TEST(!session->input_closed);
}

BOOST_AUTO_TEST_CASE(the_end_waits_until_held_output_was_delivered) {
    StatusRecorder started = exec("yes");
    session->start_done->ok();
    side.set_write_budget(3);
    BOOST_TEST(session->deliver_output(CSH_STREAM_STDOUT, "hello") == 5u);
    BOOST_TEST(session->pauses == 1);
    BOOST_TEST(session->deliver_output(CSH_STREAM_STDERR, "later") == 0u);  // held output first
    session->program_exited(ProgramExit::with_status(3));
    session->output_ended();
    BOOST_TEST(!side.finished());
    side.set_write_budget(std::nullopt);
    api.session_output_ready(handle);
    BOOST_TEST(side.stdout_data() == "hello");
    BOOST_TEST(session->resumes == 1);
    BOOST_TEST(*side.exit_status() == 3u);
    BOOST_TEST(side.finished());
    BOOST_TEST(side.violations().empty());
    const std::vector<std::string> order{"stdout", "exit-status", "finished"};
    BOOST_TEST(side.events() == order);
}

BOOST_AUTO_TEST_CASE(an_exit_before_the_reply_is_reported_after_it) {
    StatusRecorder started = exec("true");
    session->program_exited(ProgramExit::with_signal("TERM"));
    session->output_ended();
    BOOST_TEST(!side.finished());
    session->start_done->ok();
    BOOST_TEST(started.answer().status == CSH_OK);
    BOOST_TEST_REQUIRE(side.exit_signal().has_value());
    BOOST_TEST(side.exit_signal()->signal == "TERM");
    BOOST_TEST(side.finished());
}

BOOST_AUTO_TEST_CASE(an_unknown_end_tells_the_user_on_stderr_without_a_status) {
    StatusRecorder started = exec("x");
    session->start_done->ok();
    session->output_ended();
    session->program_exited(ProgramExit::unknown("The engine went away."));
    BOOST_TEST(side.stderr_data() == "The engine went away.\r\n");
    BOOST_TEST(!side.exit_status().has_value());
    BOOST_TEST(!side.exit_signal().has_value());
    BOOST_TEST(side.finished());
}

BOOST_AUTO_TEST_CASE(signals_and_window_changes_before_the_start) {
    csh_pty_request pty{sizeof(csh_pty_request), 80, 24, 0, 0, 0, str("xterm"), {nullptr, 0}};
    now([&](csh_status_completion c) { api.session_pty(handle, &pty, c); });
    BOOST_TEST(now([&](csh_status_completion c) { api.session_signal(handle, str("INT"), c); }).status ==
               CSH_FAILED);
    const csh_window_size size{sizeof(csh_window_size), 132, 50, 0, 0};
    BOOST_TEST(now([&](csh_status_completion c) { api.session_window_change(handle, &size, c); }).status ==
               CSH_OK);
    BOOST_TEST(session->terminal()->columns == 132u);
    BOOST_TEST(session->terminal()->rows == 50u);
}

BOOST_AUTO_TEST_CASE(a_close_while_starting_stops_the_backend_and_a_late_answer_is_harmless) {
    StatusRecorder started = exec("slow");
    close();
    BOOST_TEST_REQUIRE(session->stopped_in.has_value());
    BOOST_TEST((*session->stopped_in == ProgramSession::Phase::starting));
    BOOST_TEST((session->phase() == ProgramSession::Phase::closed));
    session->start_done->ok();
    BOOST_TEST(started.answer().status == CSH_OK);
    BOOST_TEST(session->deliver_output(CSH_STREAM_STDOUT, "ignored") == 7u);
    BOOST_TEST(side.write_calls() == 0u);
    BOOST_TEST(session->stdin_data("dropped") == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
