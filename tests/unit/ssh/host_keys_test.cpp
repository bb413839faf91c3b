// Inline host keys of ssh.hostkeys: text whose first non-blank characters
// are "-----" is a key, never a file name, and no error message carries it
// (fuzz/pem_fuzz.cpp found a key with a blank line before it taken for a
// file name, its text put into the error). Their SHA256 fingerprints, which
// ssh.hostKeyFingerprints checks at start.
#include <boost/test/unit_test.hpp>

#include "ssh/host_keys.hpp"

#include "file_contents.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <libssh/libssh.h>

#include <filesystem>

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

// The fingerprint operators compare with ssh.hostKeyFingerprints is the one
// ssh-keygen -l -E sha256 prints for the same key.
BOOST_AUTO_TEST_CASE(fingerprint_is_the_one_ssh_keygen_prints) {
    csh::test::TempDir dir;
    const auto file = dir.path() / "key";
    csh::test::write_file(file, generated_key_text());
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto listed = csh::test::run({"ssh-keygen", "-l", "-E", "sha256", "-f", file.string()});
    BOOST_REQUIRE_EQUAL(listed.exit_code, 0);
    const csh::ssh::HostKeys keys = csh::ssh::load_host_keys({file.string()});
    const std::string fingerprint = csh::ssh::sha256_fingerprint(keys.keys().at(0));
    BOOST_TEST(fingerprint.rfind("SHA256:", 0) == 0u);
    BOOST_TEST(listed.out.find(" " + fingerprint + " ") != std::string::npos, listed.out << " vs " << fingerprint);
}

BOOST_AUTO_TEST_CASE(fingerprints_must_be_exactly_the_expected_set) {
    const csh::ssh::HostKeys keys = csh::ssh::load_host_keys({generated_key_text(), generated_key_text()});
    const std::string first = csh::ssh::sha256_fingerprint(keys.keys().at(0));
    const std::string second = csh::ssh::sha256_fingerprint(keys.keys().at(1));
    BOOST_TEST(first != second);
    BOOST_TEST(csh::ssh::fingerprints_match(keys, {first, second}));
    BOOST_TEST(csh::ssh::fingerprints_match(keys, {second, first, second}));  // order and repetition aside
    BOOST_TEST(!csh::ssh::fingerprints_match(keys, {first}));                 // a key not listed
    BOOST_TEST(!csh::ssh::fingerprints_match(keys, {first, second, "SHA256:AAAA"}));  // a key missing
    BOOST_TEST(!csh::ssh::fingerprints_match(keys, {first, "SHA256:" + second.substr(7, 10)}));
}

BOOST_AUTO_TEST_SUITE_END()
