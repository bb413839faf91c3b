// Global requests are answered in the order they came: the client matches
// each SSH_MSG_REQUEST_SUCCESS/FAILURE to its oldest unanswered request
// (RFC 4254 4; OpenSSH reads a port-0 tcpip-forward's bound port from it).
// A tcpip-forward waits for the backend to listen without holding the
// connection's message queue, so channels keep opening meanwhile; the
// global requests behind it wait here for their turn to be answered.
#pragma once

#include "ssh/message.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

namespace csh::ssh {

class GlobalReplies {
public:
    using Ticket = uint64_t;
    // Sends the reply (one of libssh's reply functions through Message::answer).
    using Reply = std::function<void(Message&)>;

    // Takes a global request; the connection may take further messages at once.
    Ticket add(Message message);
    // The request's answer, sent once every earlier one was.
    void answer(Ticket ticket, Reply reply);
    void refuse(Ticket ticket) {
        answer(ticket, [](Message& m) { m.reply_default(); });
    }
    // Answers a request that needs nothing else: behind the others, with a failure.
    void refuse(Message message) { refuse(add(std::move(message))); }
    // The connection is closing: the requests still waiting are freed unanswered.
    void clear();

private:
    struct Entry {
        Ticket ticket;
        Message message;
        std::optional<Reply> reply;
    };
    std::deque<Entry> pending_;
    Ticket next_ = 0;
};

}  // namespace csh::ssh
