// Completion recorders for plugin unit tests: each hands out an ABI
// completion and keeps an owned copy of every answer it receives, so a test
// can check the answer and that it came exactly once.
#pragma once

#include <containerssh/plugin.h>

#include <optional>
#include <string>
#include <vector>

namespace csh::sdk::testing {

struct RecordedMetadata {
    csh_metadata_kind kind;
    bool sensitive;
    std::string key;
    std::string value;
};

inline std::vector<RecordedMetadata> copy_metadata(const csh_metadata& metadata) {
    std::vector<RecordedMetadata> out;
    for (size_t i = 0; i < metadata.count; ++i) {
        const csh_metadata_entry& e = metadata.entries[i];
        out.push_back(RecordedMetadata{e.kind, e.sensitive != 0, std::string(e.key.data, e.key.size),
                                       std::string(reinterpret_cast<const char*>(e.value.data), e.value.size)});
    }
    return out;
}

struct AuthAnswer {
    csh_auth_outcome outcome;
    std::string authenticated_username;
    std::vector<RecordedMetadata> metadata;
    std::string reason;
};

class AuthRecorder {
public:
    csh_auth_completion completion() { return csh_auth_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    // The first answer (tests usually expect exactly one).
    const AuthAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, const csh_auth_result* r) {
        static_cast<AuthRecorder*>(context)->answers_.push_back(
            AuthAnswer{r->outcome, std::string(r->authenticated_username.data, r->authenticated_username.size),
                       copy_metadata(r->metadata), std::string(r->reason.data, r->reason.size)});
    }
    std::vector<AuthAnswer> answers_;
};

struct ConfigAnswer {
    csh_status status;
    std::string config_json;
    std::vector<RecordedMetadata> metadata;
    std::string authenticated_username;
    std::string reason;
};

class ConfigRecorder {
public:
    csh_config_completion completion() { return csh_config_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    const ConfigAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, const csh_config_result* r) {
        static_cast<ConfigRecorder*>(context)->answers_.push_back(ConfigAnswer{
            r->status, std::string(r->config_json.data, r->config_json.size), copy_metadata(r->metadata),
            std::string(r->authenticated_username.data, r->authenticated_username.size),
            std::string(r->reason.data, r->reason.size)});
    }
    std::vector<ConfigAnswer> answers_;
};

struct StatusAnswer {
    csh_status status;
    std::string reason;
};

class StatusRecorder {
public:
    csh_status_completion completion() { return csh_status_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    const StatusAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, csh_status status, csh_str reason) {
        static_cast<StatusRecorder*>(context)->answers_.push_back(StatusAnswer{status, std::string(reason.data, reason.size)});
    }
    std::vector<StatusAnswer> answers_;
};

struct BackendOpenAnswer {
    csh_status status;
    csh_backend_connection* connection;
    std::string reason;
};

class BackendOpenRecorder {
public:
    csh_backend_open_completion completion() { return csh_backend_open_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    const BackendOpenAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, const csh_backend_open_result* r) {
        static_cast<BackendOpenRecorder*>(context)->answers_.push_back(
            BackendOpenAnswer{r->status, r->connection, std::string(r->reason.data, r->reason.size)});
    }
    std::vector<BackendOpenAnswer> answers_;
};

struct ForwardOpenAnswer {
    csh_status status;
    csh_backend_forward* channel;
    std::string reason;
    std::string user_message;
    // ABI 1.4, set in open_to_client's answers only; NULL when absent.
    csh_forward_host* host;
    const csh_forward_host_api* api;
};

// The answer to forward_open (from the plugin) or to open_to_client (from
// the host, e.g. a FakeListenerHost).
class ForwardOpenRecorder {
public:
    csh_forward_open_completion completion() { return csh_forward_open_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    const ForwardOpenAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, const csh_forward_open_result* r) {
        const bool has_host = r->struct_size >= CSH_END_OF(csh_forward_open_result, api);
        static_cast<ForwardOpenRecorder*>(context)->answers_.push_back(ForwardOpenAnswer{
            r->status, r->channel, std::string(r->reason.data, r->reason.size),
            std::string(r->user_message.data, r->user_message.size), has_host ? r->host : nullptr,
            has_host ? r->api : nullptr});
    }
    std::vector<ForwardOpenAnswer> answers_;
};

struct ListenAnswer {
    csh_status status;
    csh_backend_listener* listener;
    uint32_t bound_port;
    std::string reason;
};

class ListenRecorder {
public:
    csh_listen_completion completion() { return csh_listen_completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    const ListenAnswer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, const csh_listen_result* r) {
        static_cast<ListenRecorder*>(context)->answers_.push_back(
            ListenAnswer{r->status, r->listener, r->bound_port, std::string(r->reason.data, r->reason.size)});
    }
    std::vector<ListenAnswer> answers_;
};

}  // namespace csh::sdk::testing
