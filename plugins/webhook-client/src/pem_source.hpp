// cacert, cert and key are each either inline PEM text or the name of a file
// holding it, as in ContainerSSH. These helpers tell them apart and load a
// file, never echoing what it contains (a key is a secret).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csh::webhook {

// True when `value` is PEM text rather than a file name: it starts, after
// leading whitespace, with "-----" (as in "-----BEGIN CERTIFICATE-----").
bool is_inline_pem(std::string_view value);

// The contents of `file`, or nullopt with `problem` set to a reason that
// names nothing but the OS error ("No such file or directory").
std::optional<std::string> read_pem_file(const std::string& file, std::string& problem);

// PEM text for `value`: itself when inline, else the file's contents.
// Throws std::runtime_error naming `what` (e.g. "cacert") and the file.
std::string load_pem(std::string_view what, const std::string& value);

}  // namespace csh::webhook
