#include "host/plugin_host.hpp"

#include "config/config.hpp"
#include "host/connection_handle.hpp"
#include "host/host_entry.hpp"
#include "host/loop_service.hpp"
#include "host/metric_registry.hpp"
#include "log/logger.hpp"

#include <containerssh/plugin/audit.h>

#include <cstring>
#include <vector>

namespace csh::host {
namespace {

void log_line(const csh_host* host, const char* code, csh_connection* connection, csh_str message,
              const csh_field* fields, size_t count) {
    if (code == nullptr) return;
    log::Logger& logger = PluginHost::from(host).logger();
    guarded(&logger, "log.log", [&] {
        std::vector<csh_field> all;
        all.reserve(count + 4);
        if (connection != nullptr) connection->append_log_fields(all);
        all.insert(all.end(), fields, fields + count);
        logger.log(code, std::string_view(message.data, message.size), all.data(), all.size());
    });
}

int log_enabled(const csh_host* host, const char* code) {
    return code != nullptr && PluginHost::from(host).logger().enabled(code) ? 1 : 0;
}

const csh_log_service kLogService = {sizeof(csh_log_service), log_line, log_enabled};

csh_str config_section(const csh_host* host, const char* name) {
    PluginHost& self = PluginHost::from(host);
    return guarded(&self.logger(), "config.section", csh_str{"null", 4},
                   [&] { return self.section(name != nullptr ? name : ""); });
}

const csh_config_service kConfigService = {sizeof(csh_config_service), config_section};

void audit_emit(const csh_host* host, csh_connection* connection, const csh_audit_event* event) {
    if (connection == nullptr || event == nullptr) return;
    guarded(&PluginHost::from(host).logger(), "audit.emit", [&] { connection->emit_audit(*event); });
}

const csh_audit_service kAuditService = {sizeof(csh_audit_service), audit_emit};

const void* get_service(const csh_host*, const char* id) {
    if (id == nullptr) return nullptr;
    if (std::strcmp(id, CSH_SERVICE_LOG) == 0) return &kLogService;
    if (std::strcmp(id, CSH_SERVICE_CONFIG) == 0) return &kConfigService;
    if (std::strcmp(id, CSH_SERVICE_LOOP) == 0) return loop_service();
    if (std::strcmp(id, CSH_SERVICE_METRICS) == 0) return MetricRegistry::service();
    if (std::strcmp(id, CSH_SERVICE_AUDIT) == 0) return &kAuditService;
    return nullptr;
}

}  // namespace

PluginHost::PluginHost(Services services, std::string plugin_id)
    : services_(services), plugin_id_(std::move(plugin_id)) {
    host_.struct_size = sizeof(csh_host);
    host_.abi_major = CSH_ABI_MAJOR;
    host_.abi_minor = CSH_ABI_MINOR;
    host_.host_data = this;
    host_.get_service = get_service;
}

PluginHost& PluginHost::from(const csh_host* host) { return *static_cast<PluginHost*>(host->host_data); }

csh_str PluginHost::section(const char* name) {
    std::lock_guard lock(sections_mutex_);
    auto it = sections_.find(name);
    if (it == sections_.end()) {
        it = sections_.emplace(name, services_.config.section_json(name)).first;
    }
    return {it->second.data(), it->second.size()};
}

}  // namespace csh::host
