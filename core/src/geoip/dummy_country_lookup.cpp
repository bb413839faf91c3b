#include "geoip/dummy_country_lookup.hpp"

namespace csh::geoip {

std::string DummyCountryLookup::country(std::string_view /*ip*/) const { return std::string(kUnknownCountry); }

std::string DummyCountryLookup::describe() const { return "dummy"; }

}  // namespace csh::geoip
