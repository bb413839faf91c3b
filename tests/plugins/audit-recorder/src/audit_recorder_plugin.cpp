// audit-recorder: appends every audit event of every connection to one
// JSON-lines file, so tests can see exactly what the core reports.
#include "event_json.hpp"
#include "messages.hpp"
#include "recorder_file.hpp"

#include <containerssh/sdk/audit.hpp>
#include <containerssh/sdk/json_config.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>

namespace audit_recorder {

using csh::sdk::AuditEvent;
using csh::sdk::ConnectionInfo;

namespace {

// audit: {enable: true, storage: recorder, recorder: {file: "/path/events.jsonl"}}
std::string recorder_file_path(std::string_view audit_section_json) {
    csh::sdk::JsonConfig document(audit_section_json, codes::AUDIT_RECORDER_CONFIG_INVALID, "audit");
    const csh::sdk::ConfigNode audit = document.root();
    if (!audit.is_object()) audit.fail("the audit section is missing");
    auto recorder = audit.get("recorder");
    if (!recorder) audit.fail("recorder.file is required");
    recorder->allow_only({"file"});
    auto file = recorder->optional_string("file");
    if (!file || file->empty()) recorder->fail("file is required");
    return *file;
}

class RecorderStream final : public csh::sdk::AuditStream {
public:
    RecorderStream(csh::sdk::Host host, std::shared_ptr<RecorderFile> file, std::string connection_id,
                   csh_connection* connection)
        : AuditStream(std::move(host)), file_(std::move(file)), connection_id_(std::move(connection_id)),
          connection_(connection) {}

    void event(const AuditEvent& event) override {
        const int error = file_->append(event_to_json_line(event, connection_id_));
        if (error != 0) {
            host().log(codes::AUDIT_RECORDER_WRITE_FAILED, "cannot append an audit event",
                       {{"file", file_->path()}, {"cause", std::strerror(error)}}, connection_);
        }
    }

private:
    std::shared_ptr<RecorderFile> file_;
    std::string connection_id_;
    csh_connection* connection_;
};

}  // namespace

class AuditRecorderPlugin final : public csh::sdk::AuditPlugin {
public:
    explicit AuditRecorderPlugin(csh::sdk::Host host)
        : Plugin(host), file_(std::make_shared<RecorderFile>(recorder_file_path(host.config_section("audit")))) {
        this->host().log(codes::AUDIT_RECORDER_READY, "recording audit events", {{"file", file_->path()}});
    }

protected:
    std::shared_ptr<csh::sdk::AuditStream> open_stream(const ConnectionInfo& connection) override {
        return std::make_shared<RecorderStream>(host(), file_, std::string(connection.connection_id()),
                                                connection.connection());
    }

    // Finishes later, on a host timer, as an uploader driven by the host's
    // loop would: the host must keep its loop running until `done`.
    void flush(std::chrono::milliseconds /*deadline*/, csh::sdk::StatusCompletion done) override {
        auto pending = std::make_shared<csh::sdk::StatusCompletion>(std::move(done));
        host().run_after(nullptr, std::chrono::milliseconds(100), [host = host(), pending] {
            host.log(codes::AUDIT_RECORDER_FLUSHED, "flushed after a loop timer");
            pending->ok();
        });
    }

private:
    std::shared_ptr<RecorderFile> file_;
};

}  // namespace audit_recorder

CSH_DECLARE_PLUGIN(audit_recorder::AuditRecorderPlugin, "io.containerssh.test.audit.recorder", "Audit recorder",
                   "1.0.0", "Appends every audit event to a JSON-lines file; for tests only.",
                   CSH_PROVIDES("audit/recorder"), audit_recorder::kMessageTable)
