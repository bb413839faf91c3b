#include "ssh/completions.hpp"

namespace csh::ssh {
namespace {

template <typename Answer>
struct Pending {
    std::shared_ptr<Connection> connection;
    Then<Answer> then;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

template <typename Answer>
void deliver(void* context, Answer answer) {
    std::unique_ptr<Pending<Answer>> pending(static_cast<Pending<Answer>*>(context));
    answer.waited = std::chrono::steady_clock::now() - pending->started;
    auto then = std::move(pending->then);
    pending->connection->post([then = std::move(then), answer = std::move(answer)](Connection& c) mutable {
        then(c, std::move(answer));
    });
}

std::string copy(csh_str s) { return s.data != nullptr ? std::string(s.data, s.size) : std::string(); }

// Reads a field only if the plugin's struct is large enough to hold it.
template <typename Struct, typename Field>
bool has(const Struct* s, const Field Struct::*member) {
    const auto offset = reinterpret_cast<size_t>(&(static_cast<const Struct*>(nullptr)->*member));
    return s->struct_size >= offset + sizeof(Field);
}

}  // namespace

csh_auth_completion auth_completion(Connection& connection, Then<AuthAnswer> then) {
    auto timed = [then = std::move(then)](Connection& c, AuthAnswer answer) {
        c.note_auth_wait(answer.waited);
        then(c, std::move(answer));
    };
    auto* pending = new Pending<AuthAnswer>{connection.shared_from_this(), std::move(timed)};
    return {[](void* context, const csh_auth_result* result) {
                AuthAnswer answer;
                if (result != nullptr && has(result, &csh_auth_result::reason)) {
                    answer.outcome = result->outcome;
                    answer.authenticated_username = copy(result->authenticated_username);
                    answer.metadata.merge(result->metadata);
                    answer.reason = copy(result->reason);
                } else {
                    answer.reason = "the auth plugin returned an invalid result";
                }
                deliver(context, std::move(answer));
            },
            pending};
}

csh_status_completion status_completion(Connection& connection, Then<StatusAnswer> then) {
    auto* pending = new Pending<StatusAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, csh_status status, csh_str reason) {
                deliver(context, StatusAnswer{{}, status, copy(reason)});
            },
            pending};
}

csh_config_completion config_completion(Connection& connection, Then<ConfigAnswer> then) {
    auto* pending = new Pending<ConfigAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, const csh_config_result* result) {
                ConfigAnswer answer;
                if (result != nullptr && has(result, &csh_config_result::reason)) {
                    answer.status = result->status;
                    answer.config_json = copy(result->config_json);
                    answer.metadata.merge(result->metadata);
                    answer.authenticated_username = copy(result->authenticated_username);
                    answer.reason = copy(result->reason);
                } else {
                    answer.reason = "the config plugin returned an invalid result";
                }
                deliver(context, std::move(answer));
            },
            pending};
}

csh_backend_open_completion open_completion(Connection& connection, Then<OpenAnswer> then) {
    auto* pending = new Pending<OpenAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, const csh_backend_open_result* result) {
                OpenAnswer answer;
                if (result != nullptr && has(result, &csh_backend_open_result::reason)) {
                    answer.status = result->status;
                    answer.connection = result->connection;
                    answer.reason = copy(result->reason);
                    if (has(result, &csh_backend_open_result::user_message)) {
                        answer.user_message = copy(result->user_message);
                    }
                } else {
                    answer.reason = "the backend plugin returned an invalid result";
                }
                deliver(context, std::move(answer));
            },
            pending};
}

}  // namespace csh::ssh
