// The gate that keeps a connection's requests in order: a message waiting
// for a plugin holds the queue, and the queue reopens (once) when the last
// hold is released, however it is released.
#include <boost/test/unit_test.hpp>

#include "ssh/message.hpp"

#include <utility>

using csh::ssh::MessageQueue;
using csh::ssh::QueueHold;

namespace {
struct Gate {
    int reopened = 0;
    std::shared_ptr<MessageQueue> queue = MessageQueue::create([this] { ++reopened; });
};
}  // namespace

BOOST_AUTO_TEST_SUITE(message_queue)

BOOST_AUTO_TEST_CASE(a_hold_closes_the_queue_until_released_and_reopens_it_once) {
    Gate g;
    BOOST_TEST(!g.queue->held());
    auto hold = g.queue->hold();
    BOOST_TEST(g.queue->held());
    hold.release();
    BOOST_TEST(!g.queue->held());
    BOOST_TEST(g.reopened == 1);
    hold.release();  // a second release is harmless
    BOOST_TEST(g.reopened == 1);
}

BOOST_AUTO_TEST_CASE(the_queue_reopens_only_when_the_last_hold_goes) {
    Gate g;
    {
        auto first = g.queue->hold();
        {
            auto second = g.queue->hold();
        }
        BOOST_TEST(g.queue->held());
        BOOST_TEST(g.reopened == 0);
    }
    BOOST_TEST(!g.queue->held());
    BOOST_TEST(g.reopened == 1);
}

BOOST_AUTO_TEST_CASE(a_moved_hold_is_released_once_by_its_new_owner) {
    Gate g;
    auto hold = g.queue->hold();
    QueueHold moved = std::move(hold);
    hold.release();  // the moved-from hold holds nothing
    BOOST_TEST(g.queue->held());
    QueueHold assigned;
    assigned = std::move(moved);
    BOOST_TEST(g.queue->held());
    assigned = QueueHold();  // assigning over a hold releases it
    BOOST_TEST(!g.queue->held());
    BOOST_TEST(g.reopened == 1);
}

BOOST_AUTO_TEST_CASE(a_hold_that_outlives_its_queue_does_nothing) {
    int reopened = 0;
    QueueHold hold;
    {
        auto queue = MessageQueue::create([&reopened] { ++reopened; });
        hold = queue->hold();
        BOOST_TEST(static_cast<bool>(hold));
    }
    BOOST_TEST(!static_cast<bool>(hold));
    hold.release();
    BOOST_TEST(reopened == 0);
}

BOOST_AUTO_TEST_CASE(replies_stop_for_good_once_the_connection_closes) {
    Gate g;
    BOOST_TEST(g.queue->replies_allowed());
    g.queue->stop_replies();
    BOOST_TEST(!g.queue->replies_allowed());
}

BOOST_AUTO_TEST_CASE(an_empty_message_answers_nothing_and_holds_nothing) {
    Gate g;
    csh::ssh::Message message;
    BOOST_TEST(!static_cast<bool>(message));
    int sent = 0;
    BOOST_TEST(!message.answer([&sent](ssh_message) { ++sent; }));
    BOOST_TEST(sent == 0);
    BOOST_TEST(!g.queue->held());
}

BOOST_AUTO_TEST_SUITE_END()
