#include "geoip/maxmind_country_lookup.hpp"

#include "geoip/numeric_address.hpp"

#include <maxminddb.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace csh::geoip {
namespace {

// What the person who set geoip.maxmind-geoip2-file needs to fix it.
GeoIpError open_failure(const std::string& file, const std::string& cause) {
    return GeoIpError("geoip.maxmind-geoip2-file " + file + ": cannot open the MaxMind database: " + cause);
}

std::string libmaxminddb_cause(int status, int error_number) {
    std::string cause = MMDB_strerror(status);
    // Only these two come from a system call; for the others errno is stale.
    if ((status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) && error_number != 0) {
        cause += " (" + std::generic_category().message(error_number) + ")";
    }
    return cause;
}

// The string at `path` under the entry, or empty when it is missing or of
// another type.
std::string string_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return {};
    }
    return std::string(data.utf8_string, data.data_size);
}

}  // namespace

MaxmindCountryLookup::MaxmindCountryLookup(std::string file)
    : file_(std::move(file)), database_(std::make_unique<MMDB_s>()) {
    if (file_.empty()) {
        throw GeoIpError("geoip.maxmind-geoip2-file is empty: provider maxmind needs the path of a MaxMind "
                         "database (.mmdb)");
    }
    // libmaxminddb reports an empty file (a download that failed half-way)
    // as an mmap "Invalid argument"; say what it is.
    std::error_code size_error;
    if (std::filesystem::file_size(file_, size_error) == 0 && !size_error) {
        throw open_failure(file_, "the file is empty");
    }
    errno = 0;
    const int status = MMDB_open(file_.c_str(), MMDB_MODE_MMAP, database_.get());
    const int error_number = errno;
    if (status != MMDB_SUCCESS) {
        throw open_failure(file_, libmaxminddb_cause(status, error_number));
    }
}

MaxmindCountryLookup::~MaxmindCountryLookup() { MMDB_close(database_.get()); }

std::string MaxmindCountryLookup::country(std::string_view ip) const {
    const auto address = parse_numeric_address(ip);
    if (!address) {
        return std::string(kUnknownCountry);
    }
    int status = MMDB_SUCCESS;
    MMDB_lookup_result_s result =
        MMDB_lookup_sockaddr(database_.get(), reinterpret_cast<const sockaddr*>(&*address), &status);
    if (status != MMDB_SUCCESS || !result.found_entry) {
        return std::string(kUnknownCountry);
    }
    // GeoIP2 leaves `country` out for some networks (anonymous proxies,
    // satellite providers) but still names the country of registration.
    static const char* const kCountry[] = {"country", "iso_code", nullptr};
    static const char* const kRegisteredCountry[] = {"registered_country", "iso_code", nullptr};
    for (const char* const* path : {kCountry, kRegisteredCountry}) {
        std::string code = string_at(result.entry, path);
        if (!code.empty()) {
            return code;
        }
    }
    return std::string(kUnknownCountry);
}

std::string MaxmindCountryLookup::describe() const { return "maxmind " + file_; }

}  // namespace csh::geoip
