// The host's side of one completion handed to a plugin, and the list of those
// a connection still waits for.
//
// A plugin calls a completion once, from any thread; the answer then runs as
// a continuation on the connection's strand. Until the call, the pending
// completion keeps its connection alive. When the connection ends first,
// the pending completions it still has are detached: the continuation (and
// whatever it holds, such as the libssh message it would have answered) is
// destroyed at once, and the plugin's later call is accepted and ignored, as
// the ABI says. So a plugin that never answers costs the small box the plugin
// holds, never a whole connection. The exception is an answer that must be
// acted on even then (a backend connection opened after the client left has
// to be closed again): that continuation still runs when the answer comes.
//
// Owner is the connection (Connection in production, a fake in unit tests):
// it posts to its strand and keeps an OutstandingCompletions.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csh::ssh {

// What happens to a completion still pending when its connection ends.
enum class AtConnectionEnd {
    drop,  // detached: in flight is normal (a webhook still running)
    // Detached, and the plugin broke the ABI: a backend's session requests
    // are answered before its connection_close completes.
    drop_and_report,
    still_runs,  // kept: its continuation runs when the answer comes
};

class PendingCompletion {
public:
    // `plugin` and `call` name the completion for the log ("docker",
    // "session_exec").
    PendingCompletion(std::string plugin, std::string call, AtConnectionEnd at_end)
        : plugin_(std::move(plugin)), call_(std::move(call)), at_end_(at_end) {}
    virtual ~PendingCompletion() = default;
    PendingCompletion(const PendingCompletion&) = delete;
    PendingCompletion& operator=(const PendingCompletion&) = delete;

    const std::string& plugin() const { return plugin_; }
    const std::string& call() const { return call_; }
    AtConnectionEnd at_end() const { return at_end_; }
    // The connection ended: destroys the continuation; a later answer is
    // ignored. Returns false when the answer was already on its way.
    virtual bool detach() = 0;

private:
    std::string plugin_;
    std::string call_;
    AtConnectionEnd at_end_;
};

// The completions a connection handed out and has not been answered yet.
// Used on the connection's strand only.
class OutstandingCompletions {
public:
    void add(std::shared_ptr<PendingCompletion> pending) { pending_.push_back(std::move(pending)); }
    // The answer arrived on the strand.
    void remove(const PendingCompletion* pending);
    size_t size() const { return pending_.size(); }
    // The connection ended: detaches every one still waiting that may be
    // dropped, forgets the rest, and returns those whose plugin broke the ABI
    // by not answering in time.
    std::vector<std::shared_ptr<PendingCompletion>> detach_all();

private:
    std::vector<std::shared_ptr<PendingCompletion>> pending_;
};

// One completion: an Answer, then `Then(Owner&, Answer)` on the owner's strand.
// Then may be move-only (it usually owns a Message).
template <typename Answer, typename Then, typename Owner>
class TypedPendingCompletion final : public PendingCompletion,
                                     public std::enable_shared_from_this<TypedPendingCompletion<Answer, Then, Owner>> {
public:
    TypedPendingCompletion(std::shared_ptr<Owner> owner, std::string plugin, std::string call, AtConnectionEnd at_end,
                           Then then)
        : PendingCompletion(std::move(plugin), std::move(call), at_end),
          owner_(std::move(owner)),
          then_(std::move(then)) {}

    // Any thread, at most once. Answer has a `waited` member: how long the
    // plugin took, for the login metrics.
    void deliver(Answer answer) {
        std::shared_ptr<Owner> owner;
        std::optional<Then> then;
        {
            std::lock_guard lock(mutex_);
            owner = std::move(owner_);
            take(then);
        }
        if (owner == nullptr || !then) return;  // detached: the connection is over
        answer.waited = std::chrono::steady_clock::now() - started_;
        owner->post([self = this->shared_from_this(), then = std::move(*then),
                     answer = std::move(answer)](Owner& o) mutable {
            o.outstanding().remove(self.get());
            then(o, std::move(answer));
        });
    }

    bool detach() override {
        std::shared_ptr<Owner> owner;
        std::optional<Then> then;
        {
            std::lock_guard lock(mutex_);
            owner = std::move(owner_);
            take(then);
        }
        return then.has_value();  // both are destroyed here, outside the lock
    }

private:
    // Moves the continuation out (lambdas can be moved, not assigned). Under the mutex.
    void take(std::optional<Then>& into) {
        if (!then_) return;
        into.emplace(std::move(*then_));
        then_.reset();
    }

    std::mutex mutex_;
    std::shared_ptr<Owner> owner_;
    std::optional<Then> then_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// Makes a pending completion, registers it with `owner` and returns it.
template <typename Answer, typename Owner, typename Then>
std::shared_ptr<TypedPendingCompletion<Answer, Then, Owner>> make_pending(Owner& owner, std::string plugin,
                                                                          std::string call, AtConnectionEnd at_end,
                                                                          Then then) {
    auto pending = std::make_shared<TypedPendingCompletion<Answer, Then, Owner>>(
        owner.shared_from_this(), std::move(plugin), std::move(call), at_end, std::move(then));
    owner.outstanding().add(pending);
    return pending;
}

}  // namespace csh::ssh
