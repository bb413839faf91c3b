// The checks a plugin descriptor must pass on its own, before the loader
// compares it with the plugins and message codes already registered.
#pragma once

#include <containerssh/plugin.h>

#include <cstddef>
#include <filesystem>
#include <optional>

#include "plugins/refusal.hpp"

namespace csh::plugins {

/// Size of an ABI 1.0 descriptor: the end of its last field. Computed from the
/// field rather than sizeof so it stays right when later minors grow the struct.
inline constexpr std::size_t descriptor_v1_0_size =
    offsetof(csh_plugin_descriptor, get_interface) + sizeof(csh_plugin_descriptor::get_interface);

/// Checks, in this order: magic (a NULL descriptor counts as a bad magic), ABI
/// major, minimum host minor, struct_size, then every required field. Returns
/// the first failure, or nothing when the descriptor is usable.
std::optional<Refusal> check_descriptor(const std::filesystem::path& file,
                                        const csh_plugin_descriptor* descriptor);

}  // namespace csh::plugins
