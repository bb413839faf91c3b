// Password verification against crypt(3) hashes ("$6$…" SHA-512, "$5$…"
// SHA-256, "$y$…" yescrypt, whatever the system's libcrypt supports).
#pragma once

#include <string>
#include <string_view>

namespace example_server {

// Whether `hash` is a complete modern ("$id$…") hash libcrypt can check
// against. Checked when the users file is loaded, so a typo in a hash is
// reported once at start-up instead of as failed logins.
bool is_usable_hash(const std::string& hash);

// Hashes `password` with the salt and method of `hash` and compares the
// result in constant time. A password containing a NUL byte never matches:
// crypt(3) would stop at the NUL and accept a prefix of the password.
bool password_matches(const std::string& hash, std::string_view password);

// A valid SHA-512 hash for users that are unknown or have no password: they
// are checked against it (and refused whatever the result), so every answer
// costs one hash computation and timing does not reveal who exists.
const std::string& dummy_hash();

}  // namespace example_server
