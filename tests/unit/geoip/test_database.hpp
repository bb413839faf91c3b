// Test MaxMind DB files, written by tests/support/write-geoip-db.pl.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace csh::test {

// Writes `file` with one record per "NETWORK=CODE" (see the script's usage);
// throws std::runtime_error when the script fails (its stderr shows why).
void write_geoip_database(const std::filesystem::path& file, const std::vector<std::string>& networks);

}  // namespace csh::test
