// Linear completions. Every ABI completion must be called exactly once; the
// SDK wraps each in a move-only object that enforces it:
//  - completing a second time does nothing but log (and assert in debug
//    builds), so the host never sees a double answer;
//  - destroying one that was never completed completes it with the failure
//    value of its kind and logs that the plugin forgot it; when it is
//    destroyed by an exception unwinding out of the plugin, the barrier that
//    catches the exception does the logging instead.
// Results are passed as std::string_view and std::string: the completion
// builds the ABI structs from them for the duration of the call, so nothing
// borrowed outlives it. Completions may be completed from any thread.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace csh::sdk {

namespace detail {

// The bookkeeping shared by every completion type: whether the answer is
// still owed, and how to complain when the rules are broken.
class CompletionGuard {
public:
    CompletionGuard(Host host, const char* what, csh_connection* connection)
        : host_(std::move(host)), what_(what), connection_(connection), pending_(true),
          exceptions_at_creation_(std::uncaught_exceptions()) {}
    CompletionGuard(CompletionGuard&& other) noexcept
        : host_(other.host_), what_(other.what_), connection_(other.connection_),
          pending_(std::exchange(other.pending_, false)), exceptions_at_creation_(std::uncaught_exceptions()) {}
    CompletionGuard& operator=(CompletionGuard&&) = delete;
    CompletionGuard(const CompletionGuard&) = delete;
    CompletionGuard& operator=(const CompletionGuard&) = delete;

    bool pending() const { return pending_; }
    const Host& host() const { return host_; }

    // Takes the right to complete. Returns false (after logging) when the
    // completion was already used or moved from.
    bool claim() {
        if (pending_) {
            pending_ = false;
            return true;
        }
        host_.log_internal_error("a completion was called more than once; the extra call was ignored",
                                 {{"completion", what_}}, connection_);
        CSH_SDK_DEBUG_ASSERT(false, "completion called more than once");
        return false;
    }

    // For the owner's destructor: true when the completion is still owed and
    // must be completed with the failure value now. Logs unless an exception
    // is unwinding through the plugin (the barrier logs that one).
    bool claim_orphaned() {
        if (!pending_) return false;
        pending_ = false;
        if (std::uncaught_exceptions() <= exceptions_at_creation_) {
            host_.log_internal_error("the plugin dropped a request without answering it; it was answered with a failure",
                                     {{"completion", what_}}, connection_);
        }
        return true;
    }

    std::string_view orphan_reason() const {
        return std::uncaught_exceptions() > exceptions_at_creation_ ? "the plugin failed with an exception"
                                                                    : "the plugin dropped the request without answering";
    }

private:
    Host host_;
    const char* what_;
    csh_connection* connection_;
    bool pending_;
    int exceptions_at_creation_;
};

}  // namespace detail

// Wraps csh_status_completion (backend requests, connection close).
class StatusCompletion {
public:
    StatusCompletion(Host host, csh_status_completion raw, const char* what, csh_connection* connection = nullptr)
        : guard_(std::move(host), what, connection), raw_(raw) {}
    StatusCompletion(StatusCompletion&&) noexcept = default;
    StatusCompletion& operator=(StatusCompletion&&) = delete;
    ~StatusCompletion() {
        if (guard_.claim_orphaned()) send(CSH_FAILED, guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    void ok() { complete(CSH_OK, {}); }
    void fail(std::string_view reason, csh_status status = CSH_FAILED) { complete(status, reason); }
    void complete(csh_status status, std::string_view reason) {
        if (guard_.claim()) send(status, reason);
    }

private:
    void send(csh_status status, std::string_view reason) { raw_.complete(raw_.context, status, to_str(reason)); }

    detail::CompletionGuard guard_;
    csh_status_completion raw_;
};

}  // namespace csh::sdk
