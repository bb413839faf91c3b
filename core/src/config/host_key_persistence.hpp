// Adding a generated host key to the text of a configuration file.
#pragma once

#include <string>
#include <string_view>

#include "config/value.hpp"

namespace csh::config::detail {

// `document` with `key_path` appended to ssh.hostkeys (both made if missing).
ValuePtr with_host_key(const ValuePtr& document, const std::string& key_path);

// `text` with `key_path` appended to ssh.hostkeys. YAML keeps the
// operator's comments and layout when the file has one of the usual shapes
// (no ssh section; ssh without hostkeys; `hostkeys:` empty or `[]`): a few
// lines are inserted or `[]` is filled in, and the result is parsed back to
// make sure it says exactly what was meant. Otherwise, and for JSON
// (`json`), the document is written anew (comments are lost).
// Throws ConfigError when `text` itself does not parse.
std::string add_host_key_to_text(std::string_view text, bool json, const std::string& key_path,
                                 const std::string& source_name);

}  // namespace csh::config::detail
