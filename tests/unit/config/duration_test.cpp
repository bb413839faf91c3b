// Go duration syntax, as ContainerSSH files write durations.
#include <boost/test/unit_test.hpp>

#include "config/duration.hpp"

using csh::config::detail::format_go_duration;
using csh::config::detail::parse_go_duration;

BOOST_AUTO_TEST_SUITE(durations)

BOOST_AUTO_TEST_CASE(parses_go_durations) {
    BOOST_TEST(*parse_go_duration("60s") == 60'000'000'000LL);
    BOOST_TEST(*parse_go_duration("1m30s") == 90'000'000'000LL);
    BOOST_TEST(*parse_go_duration("250ms") == 250'000'000LL);
    BOOST_TEST(*parse_go_duration("1.5h") == 5'400'000'000'000LL);
    BOOST_TEST(*parse_go_duration("-2us") == -2'000LL);
    BOOST_TEST(*parse_go_duration("3\xC2\xB5s") == 3'000LL);
    BOOST_TEST(*parse_go_duration("0") == 0);
    BOOST_TEST(*parse_go_duration(".5s") == 500'000'000LL);
    for (const char* bad : {"", "5", "s", "1.s.", "1d", "1h-1m", "99999999999999h", " 1s"}) {
        BOOST_TEST(!parse_go_duration(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(formats_like_go) {
    BOOST_TEST(format_go_duration(0) == "0s");
    BOOST_TEST(format_go_duration(60'000'000'000LL) == "1m0s");
    BOOST_TEST(format_go_duration(3'600'000'000'000LL) == "1h0m0s");
    BOOST_TEST(format_go_duration(90'500'000'000LL) == "1m30.5s");
    BOOST_TEST(format_go_duration(250'000'000LL) == "250ms");
    BOOST_TEST(format_go_duration(1'500LL) == "1.5\xC2\xB5s");
    BOOST_TEST(format_go_duration(7) == "7ns");
    BOOST_TEST(format_go_duration(-2'000'000'000LL) == "-2s");
}

BOOST_AUTO_TEST_SUITE_END()
