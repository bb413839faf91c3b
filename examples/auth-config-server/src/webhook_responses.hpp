// The JSON bodies the server answers with. ContainerSSH decodes webhook
// responses strictly (an unknown field fails the request), so these write
// only fields of its response schemas.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "users.hpp"

namespace example_server {

// {"success":…} plus, on success, "authenticatedUsername" and (when the user
// has any) "environment" as {NAME: {"value":…, "sensitive":false}}.
std::string auth_response(bool success, const std::string& authenticated_username,
                          const std::map<std::string, std::string>& environment);

// {"config": <the user's config>} plus "environment" when the user has any;
// {"config":{}} for nullptr (no overrides).
std::string config_response(const User* user);

// {"error": message}, for answers that are not webhook decisions (400, 404, …).
std::string error_body(std::string_view message);

}  // namespace example_server
