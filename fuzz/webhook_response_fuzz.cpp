// Webhook answers as the auth and configuration servers send them: the body
// of /password, /pubkey, /authz and of the configuration server, decoded by
// the webhook client. A bad body must end in DecodeError, never anything
// else; a configuration answer's `config` must come out as a JSON object
// (the core merges it over the file).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <csh/webhook/webhook_response.hpp>

#include <simdjson.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    try {
        const auto auth = csh::webhook::parse_auth_response(body);
        (void)auth.update.unknown_field_list();
    } catch (const csh::webhook::DecodeError&) {
    }
    try {
        const auto config = csh::webhook::parse_config_response(body);
        (void)config.update.unknown_field_list();
        simdjson::dom::parser parser;
        simdjson::dom::object object;
        if (parser.parse(config.config_json).get_object().get(object) != simdjson::SUCCESS) std::abort();
    } catch (const csh::webhook::DecodeError&) {
    }
    return 0;
}
