// Provider "dummy": ContainerSSH's default, which knows no country.
#pragma once

#include "geoip/country_lookup.hpp"

namespace csh::geoip {

class DummyCountryLookup final : public CountryLookup {
public:
    std::string country(std::string_view ip) const override;
    std::string describe() const override;
};

}  // namespace csh::geoip
