#include "ssh/message.hpp"

namespace csh::ssh {

std::shared_ptr<MessageQueue> MessageQueue::create(std::function<void()> reopened) {
    return std::shared_ptr<MessageQueue>(new MessageQueue(std::move(reopened)));
}

QueueHold MessageQueue::hold() {
    ++holds_;
    return QueueHold(weak_from_this());
}

void MessageQueue::release() {
    if (--holds_ == 0 && reopened_) reopened_();
}

QueueHold& QueueHold::operator=(QueueHold&& other) noexcept {
    if (this != &other) {
        release();
        queue_ = std::exchange(other.queue_, {});
    }
    return *this;
}

void QueueHold::release() {
    if (auto queue = std::exchange(queue_, {}).lock()) queue->release();
}

Message::Message(ssh_message message, MessageQueue& queue)
    : message_(message), queue_(queue.weak_from_this()), hold_(queue.hold()) {}

Message& Message::operator=(Message&& other) noexcept {
    if (this != &other) {
        reply_default();
        message_ = std::exchange(other.message_, nullptr);
        queue_ = std::move(other.queue_);
        hold_ = std::move(other.hold_);
    }
    return *this;
}

ssh_channel Message::accept_channel() {
    ssh_channel channel = nullptr;
    answer([&channel](ssh_message m) { channel = ssh_message_channel_request_open_reply_accept(m); });
    return channel;
}

bool Message::replies_allowed() const {
    const auto queue = queue_.lock();
    return queue != nullptr && queue->replies_allowed();
}

void Message::finish() {
    ssh_message_free(std::exchange(message_, nullptr));
    // Released last: the queue reopens once this message is fully answered.
    hold_.release();
}

}  // namespace csh::ssh
