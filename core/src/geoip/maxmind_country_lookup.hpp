// Provider "maxmind": a MaxMind DB file (GeoIP2/GeoLite2 Country or City, or
// any database whose records have country.iso_code) read with libmaxminddb.
#pragma once

#include "geoip/country_lookup.hpp"

#include <memory>
#include <string>

// libmaxminddb's handle; its header stays out of ours.
struct MMDB_s;

namespace csh::geoip {

class MaxmindCountryLookup final : public CountryLookup {
public:
    // Maps the file; throws GeoIpError naming the file and the cause.
    explicit MaxmindCountryLookup(std::string file);
    ~MaxmindCountryLookup() override;
    MaxmindCountryLookup(const MaxmindCountryLookup&) = delete;
    MaxmindCountryLookup& operator=(const MaxmindCountryLookup&) = delete;

    // [any-thread] libmaxminddb only reads the mapped file during a lookup
    // (its manual: thread safe with a thread-safe malloc), so concurrent
    // calls need no lock.
    std::string country(std::string_view ip) const override;
    std::string describe() const override;

private:
    std::string file_;
    std::unique_ptr<MMDB_s> database_;
};

}  // namespace csh::geoip
