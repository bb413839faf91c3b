// A libssh message taken from a connection's queue, owned until answered.
//
// A connection answers its requests in the order they came: while a message
// waits for a plugin, no further message is taken from libssh's queue. That
// rule lives here, in the message, instead of a flag the request paths toggle:
// a Message holds its connection's MessageQueue until it is answered, and the
// queue reopens when the last such message is answered or dropped.
//
// A Message that goes out of scope unanswered (a plugin failed, the code took
// an early return) answers with libssh's default failure, unless the
// connection is closing, and is then freed. There is no ssh_message_free
// anywhere else.
#pragma once

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <functional>
#include <memory>
#include <utility>

namespace csh::ssh {

class QueueHold;

// The gate in front of one connection's libssh message queue, and whether
// replies may still be sent: not once the connection is closing, and never
// after libssh's session is freed (a reply would write through a dangling
// pointer). Owned by the connection through a shared_ptr; holds and messages
// keep only weak references to it.
class MessageQueue : public std::enable_shared_from_this<MessageQueue> {
public:
    // `reopened` runs when the last hold is released: the connection then
    // takes the next message.
    static std::shared_ptr<MessageQueue> create(std::function<void()> reopened);

    // Closes the gate until the returned hold is released or destroyed.
    QueueHold hold();
    bool held() const { return holds_ > 0; }

    bool replies_allowed() const { return replies_allowed_; }
    // The connection is closing: messages still held are freed without a reply.
    void stop_replies() { replies_allowed_ = false; }

private:
    explicit MessageQueue(std::function<void()> reopened) : reopened_(std::move(reopened)) {}
    friend class QueueHold;
    void release();

    int holds_ = 0;
    bool replies_allowed_ = true;
    std::function<void()> reopened_;
};

// One reason the queue is closed. Move-only; releasing twice is harmless.
class QueueHold {
public:
    QueueHold() = default;
    QueueHold(QueueHold&& other) noexcept : queue_(std::exchange(other.queue_, {})) {}
    QueueHold& operator=(QueueHold&& other) noexcept;
    QueueHold(const QueueHold&) = delete;
    QueueHold& operator=(const QueueHold&) = delete;
    ~QueueHold() { release(); }

    void release();
    explicit operator bool() const { return !queue_.expired(); }

private:
    friend class MessageQueue;
    explicit QueueHold(std::weak_ptr<MessageQueue> queue) : queue_(std::move(queue)) {}
    std::weak_ptr<MessageQueue> queue_;
};

class Message {
public:
    Message() = default;
    // Takes `message` (from ssh_message_get) and closes `queue` until it is answered.
    Message(ssh_message message, MessageQueue& queue);
    Message(Message&& other) noexcept
        : message_(std::exchange(other.message_, nullptr)), queue_(std::move(other.queue_)), hold_(std::move(other.hold_)) {}
    Message& operator=(Message&& other) noexcept;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;
    ~Message() { reply_default(); }

    explicit operator bool() const { return message_ != nullptr; }
    // Borrowed, for reading the message's fields; valid until it is answered.
    ssh_message get() const { return message_; }
    int type() const { return ssh_message_type(message_); }
    int subtype() const { return ssh_message_subtype(message_); }

    // Answers with libssh's default failure for the message's kind.
    void reply_default() { answer(ssh_message_reply_default); }
    // Answers with `send(message, args...)`, one of libssh's reply functions,
    // unless replies have stopped; then frees the message and reopens the
    // queue. Later answers do nothing. Returns whether `send` ran.
    template <typename Send, typename... Args>
    bool answer(Send&& send, Args&&... args) {
        if (message_ == nullptr) return false;
        const bool allowed = replies_allowed();
        if (allowed) std::forward<Send>(send)(message_, std::forward<Args>(args)...);
        finish();
        return allowed;
    }
    // Accepts a channel open: the channel, or NULL when libssh could not reply.
    ssh_channel accept_channel();
    // Lets the connection take further messages while this one waits for
    // its answer: for a channel open, whose reply names its channel and so
    // needs no order, and which may wait seconds for a backend to dial.
    void release_queue() { hold_.release(); }
    // Frees the message without a reply: for a request whose channel is
    // gone (libssh freed it; a reply would read it).
    void discard() { answer([](ssh_message) {}); }

private:
    bool replies_allowed() const;
    void finish();

    ssh_message message_ = nullptr;
    std::weak_ptr<MessageQueue> queue_;
    QueueHold hold_;
};

}  // namespace csh::ssh
