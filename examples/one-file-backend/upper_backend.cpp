// A complete backend plugin in one file: provides "backend/upper", whose
// "engine" runs in the gateway. `echo WORDS` prints its words, `upper` copies
// stdin to stdout in upper case until EOF, `exit N` ends with status N.
// The SDK's ProgramSession does the session bookkeeping; this file only
// starts programs, moves bytes and says how they ended.
#include <containerssh/sdk/program_session.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

namespace upper {

inline constexpr char UPPER_INTERNAL_ERROR[] = "UPPER_INTERNAL_ERROR";
inline constexpr char UPPER_PROGRAM_STARTED[] = "UPPER_PROGRAM_STARTED";
inline constexpr csh_message_code kCodes[] = {
    {UPPER_INTERNAL_ERROR, CSH_LOG_ERROR, "The upper backend failed unexpectedly; the details say where."},
    {UPPER_PROGRAM_STARTED, CSH_LOG_DEBUG, "The upper backend started a program for a session."},
};

using csh::sdk::ProgramExit;
using csh::sdk::StartCompletion;

class UpperSession final : public csh::sdk::ProgramSession {
public:
    UpperSession(csh::sdk::Host host, const csh::sdk::SessionParams& params, csh_connection* connection)
        : ProgramSession(std::move(host), params), connection_(connection) {}

private:
    // Only exec is offered (the default); shell and subsystem are refused.
    void start(const csh::sdk::Program& program, StartCompletion done) override {
        const std::string& line = program.command;
        host().log(UPPER_PROGRAM_STARTED, "starting a program", {{"kind", program.kind_name()}}, connection_);
        if (line == "upper") {
            copying_ = true;
            done.ok();  // input arrives through write_input; EOF through close_input
            return;
        }
        done.ok();
        if (line.rfind("echo ", 0) == 0 || line == "echo") {
            deliver_output(CSH_STREAM_STDOUT, line.substr(std::min<size_t>(5, line.size())) + "\n");
            end(ProgramExit::with_status(0));
        } else if (line.rfind("exit ", 0) == 0) {
            end(ProgramExit::with_status(static_cast<uint32_t>(std::stoul("0" + line.substr(5)))));
        } else {
            deliver_output(CSH_STREAM_STDERR, "upper: unknown command\n");
            end(ProgramExit::with_status(127));
        }
    }

    // Back-pressure: while the client's window holds earlier output, take
    // nothing; resume_output() asks for more.
    size_t write_input(std::string_view data) override {
        if (!copying_) return data.size();  // nobody reads stdin
        if (paused_) return 0;
        std::string out(data);
        for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        deliver_output(CSH_STREAM_STDOUT, out);
        return data.size();
    }
    void close_input() override {
        if (copying_) end(ProgramExit::with_status(0));
    }
    void pause_output() override { paused_ = true; }
    void resume_output() override {
        paused_ = false;
        input_ready();
    }
    void stop(Phase) override { copying_ = false; }

    void end(ProgramExit exit) {
        copying_ = false;
        output_ended();
        program_exited(std::move(exit));
    }

    csh_connection* connection_;
    bool copying_ = false;
    bool paused_ = false;
};

class UpperConnection final : public csh::sdk::BackendConnection {
public:
    UpperConnection(csh::sdk::Host host, csh_connection* connection)
        : BackendConnection(std::move(host)), connection_(connection) {}

    std::shared_ptr<csh::sdk::BackendSession> open_session(const csh::sdk::SessionParams& params) override {
        return std::make_shared<UpperSession>(host(), params, connection_);
    }
    void close(csh::sdk::StatusCompletion done) override { done.ok(); }

private:
    csh_connection* connection_;
};

class UpperBackend final : public csh::sdk::BackendPlugin {
public:
    explicit UpperBackend(csh::sdk::Host host) : Plugin(host) {}

protected:
    void open_connection(const csh::sdk::ConnectionInfo& connection, std::string_view,
                         csh::sdk::BackendOpenCompletion done) override {
        done.success(std::make_shared<UpperConnection>(host(), connection.connection()));
    }
};

}  // namespace upper

CSH_DECLARE_PLUGIN(upper::UpperBackend, "io.containerssh.example.backend.upper", "Upper-case backend", "1.0.0",
                   "A one-file example backend: echo, upper and exit, run inside the gateway.",
                   CSH_PROVIDES("backend/upper"), upper::kCodes)
