/*
 * ContainerSSH plugin ABI, version 1: metrics exporters.
 *
 * The host owns the metric registry (see csh_metrics_service); an exporter
 * plugin reads it with `collect` and serves it, e.g. as Prometheus text.
 */
#ifndef CONTAINERSSH_PLUGIN_METRICS_H
#define CONTAINERSSH_PLUGIN_METRICS_H

#include "common.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CSH_METRICS_INTERFACE_ID "containerssh.metrics/1"

typedef struct csh_metrics_interface {
    uint32_t struct_size;
    uint32_t reserved0;
    /** [control] Starts serving (e.g. opens the HTTP listener). Required. */
    csh_status (*start)(csh_plugin_instance *instance);
    /** [control] Stops serving; returns when no request is in flight. Required. */
    void (*stop)(csh_plugin_instance *instance);
} csh_metrics_interface;

#define CSH_METRICS_INTERFACE_V1_END CSH_END_OF(csh_metrics_interface, stop)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_METRICS_H */
