// The country of a client address, for the `country` label of metrics and
// the audit log (ContainerSSH's geoip section): provider "dummy" answers XX
// for every address; provider "maxmind" reads a MaxMind DB file (GeoIP2 or
// GeoLite2 Country, or any database with country.iso_code) with libmaxminddb.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace csh::geoip {

// What ContainerSSH reports when the country is not known.
inline constexpr std::string_view kUnknownCountry = "XX";

class CountryLookup {
public:
    virtual ~CountryLookup() = default;
    // [any-thread] The ISO 3166-1 alpha-2 code for an IPv4 or IPv6 address
    // (text, without port), or XX when the address is unknown, not an
    // address, or the database has no country for it. Never throws.
    virtual std::string country(std::string_view ip) const = 0;
    // For the start-up line: "dummy" or "maxmind <file>".
    virtual std::string describe() const = 0;
};

// The provider could not be set up; what() names the file and the cause.
class GeoIpError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// [control] `provider` is "dummy" or "maxmind" (the configuration is checked
// before, so anything else is a bug and throws std::invalid_argument).
// Opens the database of "maxmind" (throws GeoIpError when it cannot).
std::unique_ptr<CountryLookup> open_country_lookup(std::string_view provider, const std::string& maxmind_file);

}  // namespace csh::geoip
