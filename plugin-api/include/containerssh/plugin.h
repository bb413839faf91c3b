/*
 * The whole ContainerSSH plugin ABI, version 1. Include this one header.
 */
#ifndef CONTAINERSSH_PLUGIN_ALL_H
#define CONTAINERSSH_PLUGIN_ALL_H

#include "plugin/common.h"
#include "plugin/host.h"
#include "plugin/plugin.h"
#include "plugin/auth.h"
#include "plugin/config.h"
#include "plugin/backend.h"
#include "plugin/audit.h"
#include "plugin/metrics.h"

#endif /* CONTAINERSSH_PLUGIN_ALL_H */
