// Global requests are answered in the order they came, whatever order their
// answers are decided in, and without holding the connection's queue.
// (The messages are empty here: the replies record their turn instead of
// sending.)
#include <boost/test/unit_test.hpp>

#include "ssh/global_replies.hpp"

#include <string>
#include <vector>

using csh::ssh::GlobalReplies;
using csh::ssh::Message;
using csh::ssh::MessageQueue;

namespace {
struct Fixture {
    std::shared_ptr<MessageQueue> queue = MessageQueue::create([] {});
    GlobalReplies replies;
    std::vector<std::string> sent;

    GlobalReplies::Ticket add() { return replies.add(Message(nullptr, *queue)); }
    GlobalReplies::Reply record(std::string name) {
        return [this, name](Message&) { sent.push_back(name); };
    }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(global_replies)

BOOST_AUTO_TEST_CASE(a_later_answer_waits_for_the_earlier_request) {
    Fixture f;
    const auto forward = f.add();  // a tcpip-forward waiting for the backend
    const auto keepalive = f.add();
    const auto second_forward = f.add();
    BOOST_TEST(!f.queue->held(), "a waiting global request holds the connection's queue");
    f.replies.answer(keepalive, f.record("keepalive"));
    f.replies.answer(second_forward, f.record("second"));
    BOOST_TEST(f.sent.empty());
    f.replies.answer(forward, f.record("first"));
    BOOST_TEST((f.sent == std::vector<std::string>{"first", "keepalive", "second"}));
}

BOOST_AUTO_TEST_CASE(an_answer_for_the_oldest_request_goes_at_once) {
    Fixture f;
    const auto first = f.add();
    const auto second = f.add();
    f.replies.answer(first, f.record("first"));
    BOOST_TEST((f.sent == std::vector<std::string>{"first"}));
    f.replies.answer(second, f.record("second"));
    BOOST_TEST(f.sent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(after_clear_late_answers_send_nothing) {
    Fixture f;
    const auto waiting = f.add();
    f.replies.clear();  // the connection is closing
    f.replies.answer(waiting, f.record("late"));
    BOOST_TEST(f.sent.empty());
}

BOOST_AUTO_TEST_SUITE_END()
