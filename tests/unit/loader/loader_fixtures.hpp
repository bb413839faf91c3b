// Shared helpers of the loader tests: fixture locations, a registry with the
// core's codes and a host that offers no service. Scratch directories and
// file contents come from tests/support.
#pragma once

#include <containerssh/plugin.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include "log/code_registry.hpp"
#include "plugins/registry.hpp"

namespace csh::plugins::test {

/// The directory of fixture abi_fixture_<name> (one fixture per directory,
/// except duplicate_id which holds two files).
#define CSH_FIXTURE_DIR(NAME) std::filesystem::path(CSH_FIXTURE_##NAME##_DIR)
#define CSH_FIXTURE_FILE(NAME) std::filesystem::path(CSH_FIXTURE_##NAME##_FILE)

/// A code registry holding the core's table and a plugin registry using it
/// (declared in this order so the registry goes first).
struct LoaderSetup {
    LoaderSetup();
    log::CodeRegistry codes;
    Registry registry{codes};
};

/// Discovers `dir` alone and requires exactly one refusal and no plugin kept.
Refusal only_refusal(Registry& registry, const std::filesystem::path& dir);

/// Predicate for BOOST_TEST that reports both strings when `text` lacks `part`.
boost::test_tools::predicate_result contains(std::string_view text, std::string_view part);

/// A minimal host (ABI 1.0) whose get_service returns NULL for every id.
const csh_host* host_without_services();

}  // namespace csh::plugins::test
