// The backend-local test plugin, loaded from its .so and driven through the
// C ABI with FakeHost and FakeSessionHost: real child processes, real pipes
// and ptys, the host's loop as the only source of events.
#define BOOST_TEST_MODULE unit_backend_local
#include "plugin_paths.hpp"

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/fake_session_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

using namespace csh::sdk::testing;

namespace {

// A view, not a copy: a literal stays valid for the whole test, a temporary
// std::string would not.
csh_str str(std::string_view s) { return csh_str{s.data(), s.size()}; }

struct Session {
    explicit Session(csh_strand* strand) : side(strand) {}
    FakeSessionHost side;
    csh_backend_session* handle = nullptr;
    bool closed = false;
};

class LocalBackend {
public:
    // `oldest_host`: the host's service tables and session API end where
    // ABI 1.0 ended, shorter than this SDK's structs.
    explicit LocalBackend(const std::string& local_json = "null", bool oldest_host = false)
        : oldest_host_(oldest_host) {
        if (oldest_host) host.emulate_abi_1_0();
        host.set_section("local", local_json);
        plugin = std::make_unique<PluginInstance>(host, library.descriptor());
        api = plugin->interface<csh_backend_interface>(CSH_BACKEND_INTERFACE_ID);
    }

    ~LocalBackend() {
        for (auto& session : sessions) {
            if (!session->closed) api->session_close(session->handle);
        }
        if (connection != nullptr) {
            StatusRecorder closed;
            api->connection_close(connection, closed.completion());
            host.run_until([&] { return closed.calls() > 0; });
        }
    }

    // Opens the backend connection; true when the plugin accepted it.
    bool open(const std::string& config_json = "{}") {
        BackendOpenRecorder opened;
        api->connection_open(plugin->get(), &user.info(), str(config_json), opened.completion());
        host.run_until([&] { return opened.calls() > 0; });
        if (opened.calls() != 1 || opened.answer().status != CSH_OK) return false;
        connection = opened.answer().connection;
        return true;
    }

    Session& open_session() {
        sessions.push_back(std::make_unique<Session>(user.strand));
        Session& session = *sessions.back();
        if (oldest_host_) session.side.emulate_abi_1_0();
        const csh_session_params params = session.side.params();
        BOOST_TEST_REQUIRE(api->session_open(connection, &params, &session.handle) == CSH_OK);
        return session;
    }

    // Runs one request and waits for its answer.
    StatusAnswer request(const std::function<void(csh_status_completion)>& call) {
        StatusRecorder recorder;
        call(recorder.completion());
        BOOST_TEST_REQUIRE(host.run_until([&] { return recorder.calls() > 0; }));
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }
    StatusAnswer exec(Session& s, const std::string& command) {
        return request([&](csh_status_completion done) { api->session_exec(s.handle, str(command), done); });
    }
    StatusAnswer env(Session& s, const std::string& name, const std::string& value) {
        return request([&](csh_status_completion done) { api->session_env(s.handle, str(name), str(value), done); });
    }
    StatusAnswer pty(Session& s, const std::string& term, uint32_t columns, uint32_t rows) {
        csh_pty_request request{sizeof(csh_pty_request), columns, rows, 0, 0, 0, str(term), {nullptr, 0}};
        return this->request([&](csh_status_completion done) { api->session_pty(s.handle, &request, done); });
    }
    size_t send(Session& s, const std::string& data) {
        return api->session_stdin(s.handle, csh_bytes{reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    }
    void close(Session& s) {
        api->session_close(s.handle);
        s.closed = true;
    }
    bool wait_finished(Session& s) {
        return host.run_until([&] { return s.side.finished(); });
    }

    bool oldest_host_;
    FakeHost host;
    SharedObject library{test_plugin_path("backend-local.so")};
    std::unique_ptr<PluginInstance> plugin;
    const csh_backend_interface* api = nullptr;
    FakeConnection user{host, "alice"};
    csh_backend_connection* connection = nullptr;
    std::vector<std::unique_ptr<Session>> sessions;
};

bool is_fifo(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backend_local)

BOOST_AUTO_TEST_CASE(exec_keeps_stdout_and_stderr_apart_and_reports_the_exit_status) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.api != nullptr);
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.exec(s, "echo hi; echo err >&2; exit 3").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "hi\n");
    BOOST_TEST(s.side.stderr_data() == "err\n");
    BOOST_TEST_REQUIRE(s.side.exit_status().has_value());
    BOOST_TEST(*s.side.exit_status() == 3u);
    BOOST_TEST(!s.side.exit_signal().has_value());
    BOOST_TEST(s.side.events().back() == "finished");
    BOOST_TEST(s.side.events()[s.side.events().size() - 2] == "exit-status");
    BOOST_TEST(s.side.violations().empty());
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_STARTED") == 1u);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_EXITED") == 1u);
    BOOST_TEST(backend.host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(on_a_host_whose_tables_end_at_abi_1_0_logging_and_output_still_work) {
    // This SDK's session API and service structs are longer than ABI 1.0's
    // (refuse_open, histograms): an SDK that demanded its own sizeof would
    // lose its logging and drop every byte of output on such a host.
    LocalBackend backend("null", true);
    BOOST_TEST_REQUIRE(backend.api != nullptr);
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.exec(s, "echo hi; exit 4").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "hi\n");
    BOOST_TEST_REQUIRE(s.side.exit_status().has_value());
    BOOST_TEST(*s.side.exit_status() == 4u);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_STARTED") == 1u);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_EXITED") == 1u);
    BOOST_TEST(backend.host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_refused_write_pauses_the_output_watches_until_output_ready) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    s.side.set_write_budget(0);
    BOOST_TEST(backend.exec(s, "echo hi").status == CSH_OK);
    // The program has ended once the plugin logged its exit.
    BOOST_TEST_REQUIRE(backend.host.run_until([&] {
        return s.side.write_calls() >= 1 && backend.host.count_code("BACKEND_LOCAL_PROGRAM_EXITED") == 1;
    }));
    backend.host.run_until_idle();
    BOOST_TEST(s.side.write_calls() == 1u);  // paused: no retry without output_ready
    BOOST_TEST(s.side.stdout_data().empty());
    BOOST_TEST(!s.side.finished());  // the end waits for the output
    // stdout's watch is paused (stderr's may have seen its end already).
    size_t pipes = 0;
    for (const auto& watch : backend.host.watches()) {
        if (!is_fifo(watch.fd)) continue;
        ++pipes;
        BOOST_TEST(watch.events == 0u);
    }
    BOOST_TEST(pipes >= 1u);

    s.side.set_write_budget(std::nullopt);
    backend.api->session_output_ready(s.handle);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "hi\n");
    BOOST_TEST(*s.side.exit_status() == 0u);
    BOOST_TEST(s.side.violations().empty());
}

BOOST_AUTO_TEST_CASE(a_partial_write_keeps_the_rest_for_later) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    s.side.set_write_budget(2);
    BOOST_TEST(backend.exec(s, "printf hello").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.host.run_until([&] { return s.side.short_writes() == 1; }));
    BOOST_TEST(s.side.stdout_data() == "he");
    s.side.set_write_budget(1);
    backend.api->session_output_ready(s.handle);
    BOOST_TEST(s.side.stdout_data() == "hel");
    s.side.set_write_budget(std::nullopt);
    backend.api->session_output_ready(s.handle);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "hello");
}

BOOST_AUTO_TEST_CASE(stdin_reaches_the_program_and_eof_ends_it) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.send(s, "early") == 5u);  // nothing runs yet: held for the program
    BOOST_TEST(backend.exec(s, "cat; echo done").status == CSH_OK);
    BOOST_TEST(backend.send(s, " and late") == 9u);
    backend.api->session_stdin_eof(s.handle);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "early and late" "done\n");
    BOOST_TEST(*s.side.exit_status() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_stdin_pipe_takes_part_and_calls_stdin_ready_later) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.exec(s, "cat >/dev/null; echo drained").status == CSH_OK);
    const std::string block(1 << 20, 'x');
    size_t taken = backend.send(s, block);
    BOOST_TEST(taken < block.size());  // a non-blocking write fills the pipe, far less than 1 MiB
    const size_t ready_before = s.side.stdin_ready_calls();
    BOOST_TEST(backend.send(s, "y") == 0u);  // still blocked: nothing taken
    // The program drains the pipe; the plugin reports it can take more.
    BOOST_TEST_REQUIRE(backend.host.run_until([&] { return s.side.stdin_ready_calls() > ready_before; }));
    while (taken < block.size()) {
        const size_t n = backend.send(s, block.substr(taken));
        taken += n;
        if (n == 0) {
            const size_t calls = s.side.stdin_ready_calls();
            BOOST_TEST_REQUIRE(backend.host.run_until([&] { return s.side.stdin_ready_calls() > calls; }));
        }
    }
    backend.api->session_stdin_eof(s.handle);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "drained\n");
}

BOOST_AUTO_TEST_CASE(env_requests_and_metadata_environment_reach_the_program) {
    LocalBackend backend;
    backend.user.metadata.add(CSH_METADATA_ENVIRONMENT, "TEST_AUTH_USER", "alice");
    backend.user.metadata.add(CSH_METADATA_GENERIC, "NOT_ENV", "x");
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.env(s, "FOO", "bar baz").status == CSH_OK);
    BOOST_TEST(backend.env(s, "BAD=NAME", "x").status == CSH_FAILED);
    BOOST_TEST(backend.exec(s, R"(printf '%s|%s|%s' "$FOO" "$TEST_AUTH_USER" "${NOT_ENV-unset}")").status == CSH_OK);
    BOOST_TEST(backend.env(s, "LATE", "x").status == CSH_FAILED);  // after the start
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "bar baz|alice|unset");
}

BOOST_AUTO_TEST_CASE(a_pty_merges_output_and_carries_term_and_size) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.pty(s, "xterm-256color", 80, 24).status == CSH_OK);
    BOOST_TEST(backend.exec(s, "echo $TERM; stty size; tty >/dev/null && echo tty; echo err >&2").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "xterm-256color\r\n24 80\r\ntty\r\nerr\r\n");
    BOOST_TEST(s.side.stderr_data().empty());
    BOOST_TEST(*s.side.exit_status() == 0u);
}

BOOST_AUTO_TEST_CASE(window_change_resizes_the_running_terminal) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.pty(s, "vt100", 80, 24).status == CSH_OK);
    BOOST_TEST(backend.exec(s, "stty -echo; echo ready; read line; stty size").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.host.run_until([&] { return s.side.stdout_data().find("ready") != std::string::npos; }));
    const csh_window_size size{sizeof(csh_window_size), 132, 40, 0, 0};
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_window_change(s.handle, &size, done);
               }).status == CSH_OK);
    BOOST_TEST(backend.send(s, "go\n") == 3u);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "ready\r\n40 132\r\n");
}

BOOST_AUTO_TEST_CASE(a_signal_request_kills_and_is_reported_as_exit_signal) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.exec(s, "exec sleep 60").status == CSH_OK);
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_signal(s.handle, str("NOSUCH"), done);
               }).status == CSH_FAILED);
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_signal(s.handle, str("TERM"), done);
               }).status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST_REQUIRE(s.side.exit_signal().has_value());
    BOOST_TEST(s.side.exit_signal()->signal == "TERM");
    BOOST_TEST(!s.side.exit_status().has_value());
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_SIGNAL_FAILED") == 1u);
}

BOOST_AUTO_TEST_CASE(closing_a_running_session_kills_it_and_connection_close_waits_for_it) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.exec(s, "exec sleep 60").status == CSH_OK);
    backend.close(s);
    StatusRecorder closed;
    backend.api->connection_close(backend.connection, closed.completion());
    backend.connection = nullptr;
    BOOST_TEST(closed.calls() == 0u);  // the program is not reaped yet
    BOOST_TEST_REQUIRE(backend.host.run_until([&] { return closed.calls() > 0; }));
    BOOST_TEST(closed.answer().status == CSH_OK);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_KILLED") == 1u);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_EXITED") == 1u);
    BOOST_TEST(s.side.events().empty());  // nothing reached the host after close
    BOOST_TEST(backend.host.watches().empty());
    BOOST_TEST(backend.host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_second_start_and_unknown_subsystems_are_refused) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_subsystem(s.handle, str("nope"), done);
               }).status == CSH_FAILED);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_SUBSYSTEM_UNAVAILABLE") == 1u);
    BOOST_TEST(backend.exec(s, "true").status == CSH_OK);
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_shell(s.handle, done);
               }).status == CSH_FAILED);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
}

BOOST_AUTO_TEST_CASE(the_sftp_subsystem_runs_sftp_server_when_installed) {
    // scripts/install-deps installs openssh-sftp-server: a machine without it
    // fails here rather than passing a test that ran nothing.
    BOOST_TEST_REQUIRE(::access("/usr/lib/openssh/sftp-server", X_OK) == 0,
                       "/usr/lib/openssh/sftp-server is missing (Debian package openssh-sftp-server)");
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_subsystem(s.handle, str("sftp"), done);
               }).status == CSH_OK);
    backend.api->session_stdin_eof(s.handle);  // sftp-server ends when its input does
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.exit_status().has_value());
    BOOST_TEST(s.side.stdout_data().empty());
}

BOOST_AUTO_TEST_CASE(shell_runs_the_configured_shell_in_the_configured_workdir) {
    LocalBackend backend(R"({"shell": ["/bin/sh", "-c", "pwd; echo shell"], "workdir": "/tmp"})");
    BOOST_TEST_REQUIRE(backend.open());
    Session& s = backend.open_session();
    BOOST_TEST(backend.request([&](csh_status_completion done) {
                   backend.api->session_shell(s.handle, done);
               }).status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(s));
    BOOST_TEST(s.side.stdout_data() == "/tmp\nshell\n");
}

BOOST_AUTO_TEST_CASE(a_missing_workdir_fails_the_exec_request) {
    LocalBackend backend;
    BOOST_TEST_REQUIRE(backend.open(R"({"local": {"workdir": "/nonexistent-csh-test-dir"}})"));
    Session& s = backend.open_session();
    const StatusAnswer answer = backend.exec(s, "true");
    BOOST_TEST(answer.status == CSH_FAILED);
    BOOST_TEST(answer.reason.find("No such file or directory") != std::string::npos);
    BOOST_TEST(backend.host.count_code("BACKEND_LOCAL_PROGRAM_START_FAILED") == 1u);
    backend.host.run_until([&] { return backend.host.count_code("BACKEND_LOCAL_PROGRAM_EXITED") == 1; });
    BOOST_TEST(s.side.events().empty());
}

BOOST_AUTO_TEST_CASE(an_invalid_connection_config_refuses_the_connection) {
    LocalBackend backend;
    BOOST_TEST(!backend.open(R"({"local": {"shell": "not-a-list"}})"));
    const auto lines = backend.host.lines_with_code("BACKEND_LOCAL_CONFIG_INVALID");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("key") == "local.shell");
}

BOOST_AUTO_TEST_CASE(the_sigchld_fallback_notices_exits_too) {
    LocalBackend backend(R"({"childExitNotification": "sigchld"})");
    BOOST_TEST_REQUIRE(backend.plugin->init_status() == CSH_OK);
    const auto configured = backend.host.lines_with_code("BACKEND_LOCAL_CONFIGURED");
    BOOST_TEST_REQUIRE(configured.size() == 1u);
    BOOST_TEST(configured[0].field("childExitNotification") == "sigchld");
    BOOST_TEST_REQUIRE(backend.open());
    Session& first = backend.open_session();
    Session& second = backend.open_session();
    BOOST_TEST(backend.exec(first, "exit 5").status == CSH_OK);
    BOOST_TEST(backend.exec(second, "kill -KILL $$").status == CSH_OK);
    BOOST_TEST_REQUIRE(backend.wait_finished(first));
    BOOST_TEST_REQUIRE(backend.wait_finished(second));
    BOOST_TEST(*first.side.exit_status() == 5u);
    BOOST_TEST(second.side.exit_signal()->signal == "KILL");
}

BOOST_AUTO_TEST_SUITE_END()
