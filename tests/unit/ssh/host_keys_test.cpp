// Inline host keys of ssh.hostkeys: text whose first non-blank characters
// are "-----" is a key, never a file name, and no error message carries it
// (fuzz/pem_fuzz.cpp found a key with a blank line before it taken for a
// file name, its text put into the error).
#include <boost/test/unit_test.hpp>

#include "ssh/host_keys.hpp"

#include <libssh/libssh.h>

#include <string>

namespace {

std::string generated_key_text() {
    ssh_key key = csh::ssh::generate_host_key();
    char* text = nullptr;
    BOOST_REQUIRE_EQUAL(ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &text), SSH_OK);
    std::string out(text);
    ssh_string_free_char(text);
    ssh_key_free(key);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_keys)

BOOST_AUTO_TEST_CASE(inline_key_after_blanks_is_loaded) {
    const std::string key = generated_key_text();
    for (const std::string prefix : {"", "\n", "  \n\t", "\r\n  "}) {
        const csh::ssh::HostKeys keys = csh::ssh::load_host_keys({prefix + key});
        BOOST_TEST(keys.keys().size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(unreadable_inline_key_is_not_named_in_the_error) {
    std::string broken = "\n  " + generated_key_text();
    broken.erase(broken.size() / 2, 40);
    try {
        (void)csh::ssh::load_host_keys({broken});
        BOOST_FAIL("a broken key was loaded");
    } catch (const csh::ssh::HostKeyError& error) {
        BOOST_TEST(error.key_path() == "ssh.hostkeys[0]");
        BOOST_TEST(std::string(error.what()).find("-----") == std::string::npos);
        BOOST_TEST(std::string(error.what()).find("inline key") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
