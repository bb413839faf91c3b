#include "webhook_service.hpp"

#include "base64.hpp"
#include "messages.hpp"
#include "password_check.hpp"
#include "webhook_request.hpp"
#include "webhook_responses.hpp"

namespace example_server {

std::optional<Endpoint> endpoint_for_path(std::string_view path) {
    const std::string_view last = path.substr(path.rfind('/') + 1);
    if (last == "password") return Endpoint::password;
    if (last == "pubkey") return Endpoint::pubkey;
    if (last == "authz") return Endpoint::authz;
    if (last == "config") return Endpoint::config;
    return std::nullopt;
}

const char* endpoint_name(Endpoint endpoint) {
    switch (endpoint) {
        case Endpoint::password: return "password";
        case Endpoint::pubkey: return "pubkey";
        case Endpoint::authz: return "authz";
        case Endpoint::config: return "config";
    }
    return "unknown";
}

HttpAnswer WebhookService::answer(Endpoint endpoint, std::string_view body, const std::string& client_address) noexcept {
    try {
        try {
            const WebhookRequest request = parse_webhook_request(body);
            if (request.identity().empty()) throw RequestDecodeError("the field username is missing or empty");
            // One snapshot for the whole request, even if a reload happens meanwhile.
            const auto users = users_.snapshot();
            switch (endpoint) {
                case Endpoint::password: return password(request, *users);
                case Endpoint::pubkey: return pubkey(request, *users);
                case Endpoint::authz: return authz(request, *users);
                case Endpoint::config: return config(request, *users);
            }
            throw std::logic_error("unhandled endpoint");
        } catch (const RequestDecodeError& e) {
            logger_.log(codes::EXAMPLE_SERVER_REQUEST_DECODE_FAILED, e.what(),
                        {{"endpoint", endpoint_name(endpoint)}, {"client", client_address}});
            return {400, error_body(e.what())};
        }
    } catch (const std::exception& e) {
        logger_.log(codes::HTTP_SERVER_ENCODE_FAILED, e.what(), {{"endpoint", endpoint_name(endpoint)}});
    }
    // The reference server library answers its own failures like this.
    return {500, R"({"success":false})"};
}

HttpAnswer WebhookService::password(const WebhookRequest& request, const UserDirectory& users) {
    const auto password = base64_decode(request.password_base64);
    // An absent field reads as the empty password, which simply fails.
    if (!password) {
        throw RequestDecodeError("the field passwordBase64 is not base64");
    }
    const User* user = users.find(request.username);
    const bool has_hash = user != nullptr && !user->password_hash.empty();
    // Unknown users and users without a password are hashed too (against a
    // dummy hash), so the answer takes as long as for a real user.
    const bool matches = password_matches(has_hash ? user->password_hash : dummy_hash(), *password);
    const char* reason = user == nullptr ? "unknown user"
                         : !has_hash     ? "no password set for this user"
                         : !matches      ? "wrong password"
                                         : nullptr;
    return decision(request, Endpoint::password, request.username, user, reason);
}

HttpAnswer WebhookService::pubkey(const WebhookRequest& request, const UserDirectory& users) {
    const auto offered = parse_authorized_key(request.public_key);
    if (!offered) throw RequestDecodeError("the field publicKey is missing or not an authorized_keys line");
    const User* user = users.find(request.username);
    bool listed = false;
    if (user != nullptr) {
        for (const AuthorizedKey& key : user->authorized_keys) listed = listed || key == *offered;
    }
    const char* reason = user == nullptr ? "unknown user" : !listed ? "key not in authorizedKeys" : nullptr;
    return decision(request, Endpoint::pubkey, request.username, user, reason);
}

HttpAnswer WebhookService::authz(const WebhookRequest& request, const UserDirectory& users) {
    const User* user = users.find(request.identity());
    return decision(request, Endpoint::authz, request.identity(), user, user == nullptr ? "unknown user" : nullptr);
}

HttpAnswer WebhookService::config(const WebhookRequest& request, const UserDirectory& users) {
    const User* user = users.find(request.identity());
    logger_.log(user != nullptr ? codes::EXAMPLE_SERVER_CONFIG_SENT : codes::EXAMPLE_SERVER_CONFIG_UNKNOWN_USER, "",
                {{"username", request.identity()}, {"connectionId", request.connection_id}});
    return {200, config_response(user)};
}

HttpAnswer WebhookService::decision(const WebhookRequest& request, Endpoint endpoint, const std::string& username,
                                    const User* user, const char* failure_reason) {
    const bool success = failure_reason == nullptr;
    if (success) {
        logger_.log(codes::EXAMPLE_SERVER_AUTH_SUCCESSFUL, "",
                    {{"username", username},
                     {"method", endpoint_name(endpoint)},
                     {"connectionId", request.connection_id},
                     {"remoteAddress", request.remote_address}});
    } else {
        logger_.log(codes::EXAMPLE_SERVER_AUTH_FAILED, "",
                    {{"username", username},
                     {"method", endpoint_name(endpoint)},
                     {"connectionId", request.connection_id},
                     {"remoteAddress", request.remote_address},
                     {"reason", failure_reason}});
    }
    static const std::map<std::string, std::string> kNoEnvironment;
    // authz answers only the decision: the environment already came with
    // password or pubkey, and metadata maps merge, so repeating it adds nothing.
    const auto& environment = success && user != nullptr && endpoint != Endpoint::authz ? user->environment : kNoEnvironment;
    return {200, auth_response(success, username, environment)};
}

}  // namespace example_server
