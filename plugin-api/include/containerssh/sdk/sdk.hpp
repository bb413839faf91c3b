// The whole C++ SDK (except json_config.hpp, which needs simdjson, and the
// testing/ helpers). Plugins may include the narrower headers instead.
#pragma once

#include <containerssh/sdk/audit.hpp>
#include <containerssh/sdk/auth.hpp>
#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/config.hpp>
#include <containerssh/sdk/config_setting.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/host.hpp>
#include <containerssh/sdk/json_writer.hpp>
#include <containerssh/sdk/messages.hpp>
#include <containerssh/sdk/metadata.hpp>
#include <containerssh/sdk/metrics.hpp>
#include <containerssh/sdk/metrics_snapshot.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <containerssh/sdk/types.hpp>
