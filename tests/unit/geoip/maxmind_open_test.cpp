// Provider "maxmind": a database that cannot be opened is a GeoIpError that
// says which file and why.
#include "geoip/country_lookup.hpp"

#include "file_contents.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using csh::geoip::GeoIpError;
using csh::geoip::open_country_lookup;

namespace {

// The message of the GeoIpError that opening `file` throws.
std::string open_error(const std::string& file) {
    try {
        open_country_lookup("maxmind", file);
    } catch (const GeoIpError& error) {
        return error.what();
    }
    BOOST_FAIL("opening " + file + " did not throw GeoIpError");
    return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(maxmind_open)

BOOST_AUTO_TEST_CASE(a_missing_file_names_the_file_and_the_system_error) {
    csh::test::TempDir dir;
    const std::string file = dir.file("missing.mmdb");
    const std::string message = open_error(file);
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(message.find(file) != std::string::npos, message);
    BOOST_TEST(message.find("geoip.maxmind-geoip2-file") != std::string::npos, message);
    BOOST_TEST(message.find("No such file or directory") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_maxmind_database_names_the_file_and_the_cause) {
    csh::test::TempDir dir;
    const std::string file = dir.file("not-a-database.mmdb");
    csh::test::write_file(file, std::string(4096, 'x'));
    const std::string message = open_error(file);
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(message.find(file) != std::string::npos, message);
    BOOST_TEST(message.find("metadata") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(an_empty_file_names_the_file) {
    csh::test::TempDir dir;
    const std::string file = dir.file("empty.mmdb");
    csh::test::write_file(file, "");
    const std::string message = open_error(file);
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(message.find(file) != std::string::npos, message);
    BOOST_TEST(message.find("the file is empty") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(an_empty_path_names_the_key) {
    const std::string message = open_error("");
    BOOST_TEST(message.find("geoip.maxmind-geoip2-file") != std::string::npos, message);
}

BOOST_AUTO_TEST_SUITE_END()
