#include "loader_fixtures.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

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

ScratchDir::ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "csh-loader-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const std::filesystem::path& file, std::string_view text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

}  // namespace csh::plugins::test
