#include "loader_fixtures.hpp"

namespace csh::plugins::test {

LoaderSetup::LoaderSetup() {
    const auto repeated = codes.add_core_codes();
    BOOST_TEST_REQUIRE(!repeated.has_value());
}

Refusal only_refusal(Registry& registry, const std::filesystem::path& dir) {
    auto refusals = registry.discover({dir});
    BOOST_TEST_REQUIRE(refusals.size() == 1u);
    BOOST_TEST(registry.plugins().empty());
    return refusals.front();
}

boost::test_tools::predicate_result contains(std::string_view text, std::string_view part) {
    if (text.find(part) != std::string_view::npos) return true;
    boost::test_tools::predicate_result result(false);
    result.message() << "\"" << text << "\" does not contain \"" << part << "\"";
    return result;
}

namespace {
const void* no_service(const csh_host*, const char*) { return nullptr; }
}  // namespace

const csh_host* host_without_services() {
    static const csh_host host{sizeof(csh_host), CSH_ABI_MAJOR, CSH_ABI_MINOR, nullptr, no_service};
    return &host;
}

}  // namespace csh::plugins::test
