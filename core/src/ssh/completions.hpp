// Turns a C completion handed to a plugin (called once, on any thread) into
// a continuation on the connection's strand with an answer the core owns.
// Each completion is tracked by its connection (pending_completion.hpp): when
// the connection ends first, the continuation is dropped and the plugin's
// late call ignored.
#pragma once

#include "host/host_entry.hpp"
#include "ssh/connection.hpp"
#include "ssh/metadata.hpp"
#include "ssh/pending_completion.hpp"

#include <containerssh/plugin.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace csh::ssh {

// Every answer carries how long the plugin took (call -> completion), for
// the login phase metrics.
using Waited = std::chrono::steady_clock::duration;

struct AuthAnswer {
    Waited waited{};
    csh_auth_outcome outcome = CSH_AUTH_UNAVAILABLE;
    std::string authenticated_username;
    Metadata metadata;
    std::string reason;
};

struct StatusAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    std::string reason;
};

struct ConfigAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    std::string config_json;
    Metadata metadata;
    std::string authenticated_username;
    std::string reason;
};

struct OpenAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    csh_backend_connection* connection = nullptr;
    std::string reason;
    std::string user_message;  // empty when the plugin gave none
};

struct ForwardOpenAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    csh_backend_forward* channel = nullptr;
    std::string reason;
    std::string user_message;  // empty when the plugin gave none
};

struct ListenAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    csh_backend_listener* listener = nullptr;
    uint32_t bound_port = 0;
    std::string reason;
};

// Copies a plugin's result; an invalid one (NULL, too short) becomes the
// kind's failure with a reason that says so.
AuthAnswer read_answer(const csh_auth_result* result);
StatusAnswer read_answer(csh_status status, csh_str reason);
ConfigAnswer read_answer(const csh_config_result* result);
OpenAnswer read_answer(const csh_backend_open_result* result);
ForwardOpenAnswer read_answer(const csh_forward_open_result* result);
ListenAnswer read_answer(const csh_listen_result* result);

// Who a completion is for, for the log line of a plugin that broke the ABI.
struct CompletionFor {
    const std::string& plugin;
    std::string_view call;
    AtConnectionEnd at_end = AtConnectionEnd::drop;
};

namespace detail {

// The context a plugin holds: one reference to the pending completion, freed
// by the plugin's one call.
template <typename Pending>
struct Box {
    std::shared_ptr<Pending> pending;
    log::Logger* logger;  // outlives every plugin, unlike the connection
};

// A plugin calls completions from its own frames, on any thread: nothing
// thrown while the answer is copied and posted may unwind into it. An answer
// that could not be copied still arrives, as its kind's failure value (a
// default Answer), so the request is refused instead of left waiting.
template <typename Answer, typename Pending, typename... Result>
void complete(void* context, const char* what, Result... result) noexcept {
    std::unique_ptr<Box<Pending>> box(static_cast<Box<Pending>*>(context));
    log::Logger* logger = box->logger;
    Answer answer;
    if (!host::guarded(logger, what, false, [&] {
            answer = read_answer(result...);
            return true;
        })) {
        answer = Answer{};
    }
    host::guarded(logger, what, [&] { box->pending->deliver(std::move(answer)); });
}

template <typename Answer, typename Then>
auto* box_for(Connection& connection, const CompletionFor& who, Then then) {
    auto pending =
        make_pending<Answer>(connection, who.plugin, std::string(who.call), who.at_end, std::move(then));
    return new Box<typename decltype(pending)::element_type>{std::move(pending), &connection.context().logger};
}

}  // namespace detail

// Then: callable as then(Connection&, Answer), may be move-only. Auth answers
// also add their time to the connection's authentication phase.
template <typename Then>
csh_auth_completion auth_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto timed = [then = std::move(then)](Connection& c, AuthAnswer answer) mutable {
        c.note_auth_wait(answer.waited);
        then(c, std::move(answer));
    };
    auto* box = detail::box_for<AuthAnswer>(connection, who, std::move(timed));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, const csh_auth_result* result) {
                detail::complete<AuthAnswer, typename decltype(B::pending)::element_type>(context, "auth.complete",
                                                                                          result);
            },
            box};
}

template <typename Then>
csh_status_completion status_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto* box = detail::box_for<StatusAnswer>(connection, who, std::move(then));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, csh_status status, csh_str reason) {
                detail::complete<StatusAnswer, typename decltype(B::pending)::element_type>(
                    context, "status.complete", status, reason);
            },
            box};
}

template <typename Then>
csh_config_completion config_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto* box = detail::box_for<ConfigAnswer>(connection, who, std::move(then));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, const csh_config_result* result) {
                detail::complete<ConfigAnswer, typename decltype(B::pending)::element_type>(context,
                                                                                            "config.complete", result);
            },
            box};
}

template <typename Then>
csh_backend_open_completion open_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto* box = detail::box_for<OpenAnswer>(connection, who, std::move(then));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, const csh_backend_open_result* result) {
                detail::complete<OpenAnswer, typename decltype(B::pending)::element_type>(
                    context, "backend.open_complete", result);
            },
            box};
}

template <typename Then>
csh_forward_open_completion forward_open_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto* box = detail::box_for<ForwardOpenAnswer>(connection, who, std::move(then));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, const csh_forward_open_result* result) {
                detail::complete<ForwardOpenAnswer, typename decltype(B::pending)::element_type>(
                    context, "backend.forward_open_complete", result);
            },
            box};
}

template <typename Then>
csh_listen_completion listen_completion(Connection& connection, const CompletionFor& who, Then then) {
    auto* box = detail::box_for<ListenAnswer>(connection, who, std::move(then));
    using B = std::remove_pointer_t<decltype(box)>;
    return {[](void* context, const csh_listen_result* result) {
                detail::complete<ListenAnswer, typename decltype(B::pending)::element_type>(
                    context, "backend.listen_complete", result);
            },
            box};
}

}  // namespace csh::ssh
