// Metrics exporter plugins (containerssh.metrics/1). The host owns the
// registry; an exporter reads it with collect() on the metrics service and
// serves it.
#pragma once

#include <containerssh/sdk/plugin.hpp>

#include <string_view>

namespace csh::sdk {

class MetricsPlugin : public virtual Plugin {
public:
    const void* get_interface(std::string_view interface_id) override {
        return interface_id == CSH_METRICS_INTERFACE_ID ? &table_ : Plugin::get_interface(interface_id);
    }

protected:
    MetricsPlugin() = default;

    // [control] Starts serving; throw (ideally csh::sdk::Error with a code)
    // to report failure.
    virtual void start() = 0;
    // [control] Stops serving; returns when no request is in flight.
    virtual void stop() = 0;

private:
    static csh_status start_entry(csh_plugin_instance* instance) {
        MetricsPlugin& self = kind_of<MetricsPlugin>(instance);
        try {
            self.start();
            return CSH_OK;
        } catch (...) {
            self.host().log_current_exception("metrics.start");
            return CSH_FAILED;
        }
    }
    static void stop_entry(csh_plugin_instance* instance) {
        MetricsPlugin& self = kind_of<MetricsPlugin>(instance);
        try {
            self.stop();
        } catch (...) {
            self.host().log_current_exception("metrics.stop");
        }
    }

    csh_metrics_interface table_{sizeof(csh_metrics_interface), 0, &start_entry, &stop_entry};
};

}  // namespace csh::sdk
