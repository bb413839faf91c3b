#include "geoip/country_lookup.hpp"

#include "geoip/dummy_country_lookup.hpp"
#include "geoip/maxmind_country_lookup.hpp"

namespace csh::geoip {

std::unique_ptr<CountryLookup> open_country_lookup(std::string_view provider, const std::string& maxmind_file) {
    if (provider == "dummy") {
        return std::make_unique<DummyCountryLookup>();
    }
    if (provider == "maxmind") {
        return std::make_unique<MaxmindCountryLookup>(maxmind_file);
    }
    throw std::invalid_argument("geoip.provider \"" + std::string(provider) +
                                "\" reached open_country_lookup; the configuration check allows only dummy and maxmind");
}

}  // namespace csh::geoip
