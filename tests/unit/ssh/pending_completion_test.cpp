// A completion handed to a plugin: its answer runs as a continuation on the
// owner's strand, and when the owner (a connection) ends first the
// continuation is dropped at once, the owner is no longer kept alive, and a
// late answer is ignored; those the plugin owed by then are reported.
#include <boost/test/unit_test.hpp>

#include "ssh/pending_completion.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using csh::ssh::AtConnectionEnd;
using csh::ssh::make_pending;
using csh::ssh::OutstandingCompletions;

namespace {

struct Answer {
    std::chrono::steady_clock::duration waited{};
    int value = 0;
};

// Stands in for Connection: a strand whose tasks the test runs by hand.
class FakeOwner : public std::enable_shared_from_this<FakeOwner> {
public:
    template <typename Fn>
    void post(Fn fn) {
        auto task = std::make_shared<Fn>(std::move(fn));
        tasks_.push_back([this, task] { (*task)(*this); });
    }
    OutstandingCompletions& outstanding() { return outstanding_; }
    size_t run_tasks() {
        auto tasks = std::exchange(tasks_, {});
        for (auto& task : tasks) task();
        return tasks.size();
    }

private:
    std::vector<std::function<void()>> tasks_;
    OutstandingCompletions outstanding_;
};

// Counts its live copies, to see when a continuation is destroyed.
struct Sentinel {
    std::shared_ptr<int> alive = std::make_shared<int>(0);
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pending_completion)

BOOST_AUTO_TEST_CASE(an_answer_from_another_thread_runs_on_the_owner_and_leaves_the_list) {
    auto owner = std::make_shared<FakeOwner>();
    int seen = 0;
    auto pending = make_pending<Answer>(*owner, "plugin", "exec", AtConnectionEnd::drop,
                                        [&seen](FakeOwner&, Answer a) { seen = a.value; });
    BOOST_TEST(owner->outstanding().size() == 1u);
    std::thread plugin([pending] { pending->deliver(Answer{{}, 42}); });
    plugin.join();
    BOOST_TEST(seen == 0);  // not on the plugin's thread
    BOOST_TEST(owner->run_tasks() == 1u);
    BOOST_TEST(seen == 42);
    BOOST_TEST(owner->outstanding().size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_move_only_continuation_is_accepted) {
    auto owner = std::make_shared<FakeOwner>();
    auto owned = std::make_unique<int>(7);
    int seen = 0;
    auto pending = make_pending<Answer>(*owner, "plugin", "exec", AtConnectionEnd::drop,
                                        [owned = std::move(owned), &seen](FakeOwner&, Answer) { seen = *owned; });
    pending->deliver(Answer{});
    owner->run_tasks();
    BOOST_TEST(seen == 7);
}

BOOST_AUTO_TEST_CASE(at_the_end_a_pending_continuation_is_destroyed_and_the_owner_let_go) {
    auto owner = std::make_shared<FakeOwner>();
    Sentinel sentinel;
    bool ran = false;
    auto pending = make_pending<Answer>(*owner, "plugin", "password", AtConnectionEnd::drop,
                                        [keep = sentinel.alive, &ran](FakeOwner&, Answer) { ran = true; });
    BOOST_TEST(sentinel.alive.use_count() == 2);
    const long owners_before = owner.use_count();
    const auto owed = owner->outstanding().detach_all();
    BOOST_TEST(owed.empty());  // an answer still in flight is normal for this kind
    BOOST_TEST(sentinel.alive.use_count() == 1);  // what the continuation held is freed now
    BOOST_TEST(owner.use_count() == owners_before - 1);  // the pending answer no longer pins the owner
    pending->deliver(Answer{{}, 1});  // the plugin's late answer
    BOOST_TEST(owner->run_tasks() == 0u);
    BOOST_TEST(!ran);
}

BOOST_AUTO_TEST_CASE(those_owed_before_the_end_are_reported_with_their_plugin_and_call) {
    auto owner = std::make_shared<FakeOwner>();
    auto noop = [](FakeOwner&, Answer) {};
    auto owed_one = make_pending<Answer>(*owner, "docker", "exec", AtConnectionEnd::drop_and_report, noop);
    auto normal = make_pending<Answer>(*owner, "auth-http", "password", AtConnectionEnd::drop, noop);
    const auto owed = owner->outstanding().detach_all();
    BOOST_TEST_REQUIRE(owed.size() == 1u);
    BOOST_TEST(owed[0]->plugin() == "docker");
    BOOST_TEST(owed[0]->call() == "exec");
    BOOST_TEST(owner->outstanding().size() == 0u);
}

BOOST_AUTO_TEST_CASE(an_answer_already_on_its_way_is_neither_reported_nor_lost) {
    auto owner = std::make_shared<FakeOwner>();
    bool ran = false;
    auto pending = make_pending<Answer>(*owner, "docker", "exec", AtConnectionEnd::drop_and_report,
                                        [&ran](FakeOwner&, Answer) { ran = true; });
    pending->deliver(Answer{});  // posted, not run yet
    BOOST_TEST(owner->outstanding().detach_all().empty());
    owner->run_tasks();
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(a_continuation_that_must_run_survives_the_end) {
    auto owner = std::make_shared<FakeOwner>();
    int seen = 0;
    auto pending = make_pending<Answer>(*owner, "docker", "connection_open", AtConnectionEnd::still_runs,
                                        [&seen](FakeOwner&, Answer a) { seen = a.value; });
    BOOST_TEST(owner->outstanding().detach_all().empty());
    BOOST_TEST(owner->outstanding().size() == 0u);
    pending->deliver(Answer{{}, 5});
    owner->run_tasks();
    BOOST_TEST(seen == 5);
}

BOOST_AUTO_TEST_CASE(a_second_answer_is_ignored) {
    auto owner = std::make_shared<FakeOwner>();
    int runs = 0;
    auto pending = make_pending<Answer>(*owner, "plugin", "exec", AtConnectionEnd::drop,
                                        [&runs](FakeOwner&, Answer) { ++runs; });
    pending->deliver(Answer{});
    pending->deliver(Answer{});
    owner->run_tasks();
    BOOST_TEST(runs == 1);
}

BOOST_AUTO_TEST_SUITE_END()
