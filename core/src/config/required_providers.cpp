#include "config/required_providers.hpp"

#include "config/containerssh_schema.hpp"
#include "config/typed_read.hpp"

namespace csh::config::detail {
namespace {

void require(std::vector<ProviderRequirement>& out, std::string provides, std::string key_path) {
    for (const ProviderRequirement& existing : out) {
        if (existing.provides == provides) return;
    }
    out.push_back(ProviderRequirement{std::move(provides), std::move(key_path)});
}

}  // namespace

std::vector<ProviderRequirement> required_providers_of(const Value& effective) {
    std::vector<ProviderRequirement> out;
    // A connection cannot run without a backend, so it is always required.
    // The legacy kuberun backend runs on the Kubernetes plugin, which reads
    // the kuberun section when backend is kuberun.
    const std::string backend = text_of(child(effective, "backend"));
    require(out, "backend/" + (backend == "kuberun" ? std::string("kubernetes") : backend), "backend");

    const Value& auth = child(effective, "auth");
    for (std::string_view block : kAuthBlocks) {
        std::string method = text_of(child(child(auth, block), "method"));
        if (!method.empty()) require(out, "auth/" + method, "auth." + std::string(block) + ".method");
    }
    if (!text_of(child(child(effective, "configserver"), "url")).empty()) {
        require(out, "config/http", "configserver.url");
    }
    const Value& audit = child(effective, "audit");
    const std::string storage = text_of(child(audit, "storage"));
    if (bool_of(child(audit, "enable")) && !storage.empty() && storage != "none") {
        require(out, "audit/" + storage, "audit.storage");
    }
    if (bool_of(child(child(effective, "metrics"), "enable"))) require(out, "metrics/prometheus", "metrics.enable");
    return out;
}

}  // namespace csh::config::detail
