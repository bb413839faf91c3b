#include "ssh/completions.hpp"

namespace csh::ssh {
namespace {
std::string copy(csh_str s) { return s.data != nullptr ? std::string(s.data, s.size) : std::string(); }
}  // namespace

AuthAnswer read_answer(const csh_auth_result* result) {
    AuthAnswer answer;
    if (result == nullptr || result->struct_size < CSH_AUTH_RESULT_V1_END) {
        answer.reason = "the auth plugin returned an invalid result";
        return answer;
    }
    answer.outcome = result->outcome;
    answer.authenticated_username = copy(result->authenticated_username);
    answer.metadata.merge(result->metadata);
    answer.reason = copy(result->reason);
    return answer;
}

StatusAnswer read_answer(csh_status status, csh_str reason) {
    StatusAnswer answer;
    answer.status = status;
    answer.reason = copy(reason);
    return answer;
}

ConfigAnswer read_answer(const csh_config_result* result) {
    ConfigAnswer answer;
    if (result == nullptr || result->struct_size < CSH_CONFIG_RESULT_V1_END) {
        answer.reason = "the config plugin returned an invalid result";
        return answer;
    }
    answer.status = result->status;
    answer.config_json = copy(result->config_json);
    answer.metadata.merge(result->metadata);
    answer.authenticated_username = copy(result->authenticated_username);
    answer.reason = copy(result->reason);
    return answer;
}

OpenAnswer read_answer(const csh_backend_open_result* result) {
    OpenAnswer answer;
    if (result == nullptr || result->struct_size < CSH_BACKEND_OPEN_RESULT_V1_END) {
        answer.reason = "the backend plugin returned an invalid result";
        return answer;
    }
    answer.status = result->status;
    answer.connection = result->connection;
    answer.reason = copy(result->reason);
    answer.user_message = copy(result->user_message);
    return answer;
}

ForwardOpenAnswer read_answer(const csh_forward_open_result* result) {
    ForwardOpenAnswer answer;
    if (result == nullptr || result->struct_size < CSH_END_OF(csh_forward_open_result, user_message)) {
        answer.reason = "the backend plugin returned an invalid forwarding result";
        return answer;
    }
    answer.status = result->status;
    answer.channel = result->channel;
    answer.reason = copy(result->reason);
    answer.user_message = copy(result->user_message);
    return answer;
}

ListenAnswer read_answer(const csh_listen_result* result) {
    ListenAnswer answer;
    if (result == nullptr || result->struct_size < CSH_END_OF(csh_listen_result, reason)) {
        answer.reason = "the backend plugin returned an invalid listen result";
        return answer;
    }
    answer.status = result->status;
    answer.listener = result->listener;
    answer.bound_port = result->bound_port;
    answer.reason = copy(result->reason);
    return answer;
}

}  // namespace csh::ssh
