#include "password_check.hpp"

#include <crypt.h>

#include <memory>

namespace example_server {
namespace {

// crypt_r's result, or "" when libcrypt refuses the setting. libxcrypt
// signals failure with a string starting with '*' (or NULL on some builds).
std::string crypt_text(const std::string& password, const std::string& setting) {
    // crypt_data is tens of kilobytes: too large for a server thread's stack.
    auto data = std::make_unique<crypt_data>();
    const char* result = ::crypt_r(password.c_str(), setting.c_str(), data.get());
    if (result == nullptr || result[0] == '*') return {};
    return result;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    // Runs over the longer input whatever the contents, so the time taken
    // depends on lengths only, never on where the first difference is.
    const std::size_t length = a.size() > b.size() ? a.size() : b.size();
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < length; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        difference |= static_cast<unsigned char>(x ^ y);
    }
    return difference == 0;
}

}  // namespace

bool is_usable_hash(const std::string& hash) {
    // '$' first: the bare two-character salts of 1970s DES crypt would make
    // almost any string "valid". Same length as a computed hash: a salt
    // setting without its hash part ("$6$salt") could never match.
    if (hash.empty() || hash[0] != '$') return false;
    const std::string computed = crypt_text("", hash);
    return !computed.empty() && computed.size() == hash.size();
}

bool password_matches(const std::string& hash, std::string_view password) {
    const bool has_nul = password.find('\0') != std::string_view::npos;
    // Hash even when the answer is already known, so the time is the same.
    const std::string computed = crypt_text(std::string(password), hash);
    return !computed.empty() && equal_in_constant_time(computed, hash) && !has_nul;
}

const std::string& dummy_hash() {
    // openssl passwd -6 -salt csh.dummy.salt of a throw-away string.
    static const std::string hash =
        "$6$csh.dummy.salt$LLc0UsT8YL4O.yLR/SqymR6FKGUmm1ccQ7svieck81m9NhRB2V5fs85grwK/BeNrgCqNxsWDfxYephw8K/xZp0";
    return hash;
}

}  // namespace example_server
