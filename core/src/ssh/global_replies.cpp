#include "ssh/global_replies.hpp"

#include <algorithm>

namespace csh::ssh {

GlobalReplies::Ticket GlobalReplies::add(Message message) {
    message.release_queue();
    pending_.push_back({next_, std::move(message), std::nullopt});
    return next_++;
}

void GlobalReplies::answer(Ticket ticket, Reply reply) {
    const auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Entry& e) { return e.ticket == ticket; });
    if (it == pending_.end()) return;  // cleared: the connection is closing
    it->reply = std::move(reply);
    while (!pending_.empty() && pending_.front().reply) {
        Entry entry = std::move(pending_.front());
        pending_.pop_front();
        (*entry.reply)(entry.message);
    }
}

void GlobalReplies::clear() {
    for (auto& entry : pending_) entry.message.discard();
    pending_.clear();
}

}  // namespace csh::ssh
