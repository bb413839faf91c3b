#include "ssh/completions.hpp"

#include "host/host_entry.hpp"

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

// A plugin calls completions from its own frames, on any thread: nothing
// thrown while the answer is copied and posted may unwind into it. An answer
// that could not be copied still arrives, as its kind's failure value (a
// default Answer), so the request is refused instead of left waiting.
template <typename Answer, typename Fn>
void guarded_complete(void* context, const char* what, Fn&& fill) noexcept {
    log::Logger* logger = &static_cast<Pending<Answer>*>(context)->connection->context().logger;
    Answer answer;
    if (!host::guarded(logger, what, false, [&] {
            fill(answer);
            return true;
        })) {
        answer = Answer{};
    }
    host::guarded(logger, what, [&] { deliver(context, std::move(answer)); });
}

std::string copy(csh_str s) { return s.data != nullptr ? std::string(s.data, s.size) : std::string(); }


}  // namespace

csh_auth_completion auth_completion(Connection& connection, Then<AuthAnswer> then) {
    auto timed = [then = std::move(then)](Connection& c, AuthAnswer answer) {
        c.note_auth_wait(answer.waited);
        then(c, std::move(answer));
    };
    auto* pending = new Pending<AuthAnswer>{connection.shared_from_this(), std::move(timed)};
    return {[](void* context, const csh_auth_result* result) {
                guarded_complete<AuthAnswer>(context, "auth.complete", [result](AuthAnswer& answer) {
                    if (result != nullptr && result->struct_size >= CSH_AUTH_RESULT_V1_END) {
                        answer.outcome = result->outcome;
                        answer.authenticated_username = copy(result->authenticated_username);
                        answer.metadata.merge(result->metadata);
                        answer.reason = copy(result->reason);
                    } else {
                        answer.reason = "the auth plugin returned an invalid result";
                    }
                });
            },
            pending};
}

csh_status_completion status_completion(Connection& connection, Then<StatusAnswer> then) {
    auto* pending = new Pending<StatusAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, csh_status status, csh_str reason) {
                guarded_complete<StatusAnswer>(context, "status.complete", [&](StatusAnswer& answer) {
                    answer.status = status;
                    answer.reason = copy(reason);
                });
            },
            pending};
}

csh_config_completion config_completion(Connection& connection, Then<ConfigAnswer> then) {
    auto* pending = new Pending<ConfigAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, const csh_config_result* result) {
                guarded_complete<ConfigAnswer>(context, "config.complete", [result](ConfigAnswer& answer) {
                    if (result != nullptr && result->struct_size >= CSH_CONFIG_RESULT_V1_END) {
                        answer.status = result->status;
                        answer.config_json = copy(result->config_json);
                        answer.metadata.merge(result->metadata);
                        answer.authenticated_username = copy(result->authenticated_username);
                        answer.reason = copy(result->reason);
                    } else {
                        answer.reason = "the config plugin returned an invalid result";
                    }
                });
            },
            pending};
}

csh_backend_open_completion open_completion(Connection& connection, Then<OpenAnswer> then) {
    auto* pending = new Pending<OpenAnswer>{connection.shared_from_this(), std::move(then)};
    return {[](void* context, const csh_backend_open_result* result) {
                guarded_complete<OpenAnswer>(context, "backend.open_complete", [result](OpenAnswer& answer) {
                    if (result != nullptr && result->struct_size >= CSH_BACKEND_OPEN_RESULT_V1_END) {
                        answer.status = result->status;
                        answer.connection = result->connection;
                        answer.reason = copy(result->reason);
                        answer.user_message = copy(result->user_message);
                    } else {
                        answer.reason = "the backend plugin returned an invalid result";
                    }
                });
            },
            pending};
}

}  // namespace csh::ssh
