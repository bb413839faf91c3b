// Both compile tests were built (this links them) and their compilers agree
// with each other and with the frozen values on every layout fact.
#define BOOST_TEST_MODULE plugin_api_headers
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "layout_facts.h"
#include "layout_probe.h"

namespace {

struct Fact {
    std::string name;
    size_t expected;
};

#define CSH_OFFSET_FACT(type, member, offset) Fact{"offsetof(" #type ", " #member ")", offset},
#define CSH_END_FACT(constant, value) Fact{#constant, value},
#define CSH_SIZE_FACT(type, size) Fact{"sizeof(" #type ")", size},
const std::vector<Fact> facts = {CSH_FROZEN_PREFIX_OFFSETS(CSH_OFFSET_FACT) CSH_LP64_OFFSETS(CSH_OFFSET_FACT)
                                     CSH_LP64_TABLE_OFFSETS(CSH_OFFSET_FACT) CSH_LP64_V1_ENDS(CSH_END_FACT)
                                         CSH_LP64_SIZES(CSH_SIZE_FACT)};

void check_against_facts(const char* compiler, const size_t* values, size_t count) {
    BOOST_TEST_REQUIRE(count == facts.size());
    for (size_t i = 0; i < count; ++i) {
        BOOST_TEST_INFO(compiler << ": " << facts[i].name);
        BOOST_TEST(values[i] == facts[i].expected);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(c11_compiler_sees_the_frozen_layout) {
    size_t count = 0;
    const size_t* values = csh_layout_seen_by_c11(&count);
    check_against_facts("C11", values, count);
}

BOOST_AUTO_TEST_CASE(cxx17_compiler_sees_the_frozen_layout) {
    size_t count = 0;
    const size_t* values = csh_layout_seen_by_cxx17(&count);
    check_against_facts("C++17", values, count);
}

BOOST_AUTO_TEST_CASE(prefix_is_checked_on_every_abi) {
    // The five frozen prefix fields are always among the facts.
    BOOST_TEST(facts.size() >= 5u);
    BOOST_TEST(facts[0].name == "offsetof(csh_plugin_descriptor, magic)");
    BOOST_TEST(facts[4].name == "offsetof(csh_plugin_descriptor, min_host_minor)");
}
