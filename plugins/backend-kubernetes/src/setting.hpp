// A JSON value of the kubernetes section together with the key path its
// problems are reported at (the SDK's ConfigSetting): the pod's metadata and
// spec are Kubernetes objects that the plugin passes on re-serialised.
#pragma once

#include <containerssh/sdk/config_setting.hpp>
#include <containerssh/sdk/json_config.hpp>

#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace backend_kubernetes {

using Setting = csh::sdk::ConfigSetting;

// JSON this plugin wrote itself (defaults, merged objects): always valid.
inline simdjson::dom::element parse_own_json(simdjson::dom::parser& parser, std::string_view json) {
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
        throw std::logic_error("backend-kubernetes wrote invalid JSON");
    }
    return root;
}

using csh::sdk::config_fail_at;

}  // namespace backend_kubernetes
