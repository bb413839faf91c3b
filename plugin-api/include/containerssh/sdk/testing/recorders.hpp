// Completion recorders for plugin unit tests: each hands out an ABI
// completion and keeps an owned copy of every answer it receives, so a test
// can check the answer and that it came exactly once.
//
//   AuthRecorder auth;
//   plugin.password(..., auth.completion());
//   BOOST_TEST(auth.calls() == 1);
//   BOOST_TEST(auth.answer().outcome == CSH_AUTH_SUCCESS);
#pragma once

#include <containerssh/plugin.h>

#include <cstddef>
#include <string>
#include <vector>

namespace csh::sdk::testing {

namespace detail {

inline std::string copy_str(csh_str s) { return std::string(s.data, s.size); }

// One recorder per kind of completion. `Copy` turns what the completion's
// complete function receives (after its context) into an owned Answer, so
// the recorder's own complete function has exactly that signature.
template <class Completion, auto Copy, class CopyType = decltype(Copy)>
class CompletionRecorder;

template <class Completion, auto Copy, class Answer, class... Args>
class CompletionRecorder<Completion, Copy, Answer (*)(Args...)> {
public:
    Completion completion() { return Completion{&complete, this}; }
    size_t calls() const { return answers_.size(); }
    // The first answer (tests usually expect exactly one).
    const Answer& answer() const { return answers_.at(0); }

private:
    static void complete(void* context, Args... args) {
        static_cast<CompletionRecorder*>(context)->answers_.push_back(Copy(args...));
    }
    std::vector<Answer> answers_;
};

}  // namespace detail

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
        out.push_back(RecordedMetadata{e.kind, e.sensitive != 0, detail::copy_str(e.key),
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

inline AuthAnswer copy_auth_answer(const csh_auth_result* r) {
    return {r->outcome, detail::copy_str(r->authenticated_username), copy_metadata(r->metadata),
            detail::copy_str(r->reason)};
}

using AuthRecorder = detail::CompletionRecorder<csh_auth_completion, &copy_auth_answer>;

struct ConfigAnswer {
    csh_status status;
    std::string config_json;
    std::vector<RecordedMetadata> metadata;
    std::string authenticated_username;
    std::string reason;
};

inline ConfigAnswer copy_config_answer(const csh_config_result* r) {
    return {r->status, detail::copy_str(r->config_json), copy_metadata(r->metadata),
            detail::copy_str(r->authenticated_username), detail::copy_str(r->reason)};
}

using ConfigRecorder = detail::CompletionRecorder<csh_config_completion, &copy_config_answer>;

struct StatusAnswer {
    csh_status status;
    std::string reason;
};

inline StatusAnswer copy_status_answer(csh_status status, csh_str reason) { return {status, detail::copy_str(reason)}; }

using StatusRecorder = detail::CompletionRecorder<csh_status_completion, &copy_status_answer>;

struct BackendOpenAnswer {
    csh_status status;
    csh_backend_connection* connection;
    std::string reason;
};

inline BackendOpenAnswer copy_backend_open_answer(const csh_backend_open_result* r) {
    return {r->status, r->connection, detail::copy_str(r->reason)};
}

using BackendOpenRecorder = detail::CompletionRecorder<csh_backend_open_completion, &copy_backend_open_answer>;

struct ForwardOpenAnswer {
    csh_status status;
    csh_backend_forward* channel;
    std::string reason;
    std::string user_message;
    // ABI 1.4, set in open_to_client's answers only; NULL when absent.
    csh_forward_host* host;
    const csh_forward_host_api* api;
};

inline ForwardOpenAnswer copy_forward_open_answer(const csh_forward_open_result* r) {
    const bool has_host = r->struct_size >= CSH_END_OF(csh_forward_open_result, api);
    return {r->status,
            r->channel,
            detail::copy_str(r->reason),
            detail::copy_str(r->user_message),
            has_host ? r->host : nullptr,
            has_host ? r->api : nullptr};
}

// The answer to forward_open (from the plugin) or to open_to_client (from
// the host, e.g. a FakeListenerHost).
using ForwardOpenRecorder = detail::CompletionRecorder<csh_forward_open_completion, &copy_forward_open_answer>;

struct ListenAnswer {
    csh_status status;
    csh_backend_listener* listener;
    uint32_t bound_port;
    std::string reason;
};

inline ListenAnswer copy_listen_answer(const csh_listen_result* r) {
    return {r->status, r->listener, r->bound_port, detail::copy_str(r->reason)};
}

using ListenRecorder = detail::CompletionRecorder<csh_listen_completion, &copy_listen_answer>;

}  // namespace csh::sdk::testing
