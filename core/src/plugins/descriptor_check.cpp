#include "plugins/descriptor_check.hpp"

#include <cstdio>
#include <string>

#include "log/codes.hpp"

namespace csh::plugins {
namespace {

std::string hex32(std::uint32_t value) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
    return text;
}

Refusal missing_field(const std::filesystem::path& file, const std::string& field) {
    return refuse_file(file, codes::CORE_PLUGIN_SLOT_MISSING,
                       "the required descriptor field '" + field + "' is NULL");
}

// Required fields after the frozen prefix; list entries are checked too, because
// the host dereferences every one of them when it lists or registers the plugin.
std::optional<Refusal> check_required_fields(const std::filesystem::path& file,
                                             const csh_plugin_descriptor& d) {
    if (d.id == nullptr) return missing_field(file, "id");
    if (d.name == nullptr) return missing_field(file, "name");
    if (d.version == nullptr) return missing_field(file, "version");
    if (d.provides == nullptr || d.provides_count == 0) return missing_field(file, "provides");
    for (std::size_t i = 0; i < d.provides_count; ++i) {
        if (d.provides[i] == nullptr) return missing_field(file, "provides[" + std::to_string(i) + "]");
    }
    if (d.init == nullptr) return missing_field(file, "init");
    if (d.deinit == nullptr) return missing_field(file, "deinit");
    if (d.get_interface == nullptr) return missing_field(file, "get_interface");
    if (d.message_code_count > 0 && d.message_codes == nullptr) return missing_field(file, "message_codes");
    for (std::size_t i = 0; i < d.message_code_count; ++i) {
        const std::string entry = "message_codes[" + std::to_string(i) + "]";
        if (d.message_codes[i].code == nullptr) return missing_field(file, entry + ".code");
        if (d.message_codes[i].explanation == nullptr) return missing_field(file, entry + ".explanation");
    }
    return std::nullopt;
}

}  // namespace

std::optional<Refusal> check_descriptor(const std::filesystem::path& file,
                                        const csh_plugin_descriptor* descriptor) {
    if (descriptor == nullptr) {
        return refuse_file(file, codes::CORE_PLUGIN_BAD_MAGIC,
                           std::string(CSH_PLUGIN_ENTRY_SYMBOL) + " returned NULL instead of a descriptor");
    }
    const csh_plugin_descriptor& d = *descriptor;
    if (d.magic != CSH_PLUGIN_MAGIC) {
        return refuse_file(file, codes::CORE_PLUGIN_BAD_MAGIC,
                           "the descriptor's magic is " + hex32(d.magic) + ", expected " +
                           hex32(CSH_PLUGIN_MAGIC));
    }
    if (d.abi_major != CSH_ABI_MAJOR) {
        return refuse_file(file, codes::CORE_PLUGIN_ABI_MISMATCH,
                           "built for plugin ABI major " + std::to_string(d.abi_major) +
                           ", this server implements major " + std::to_string(CSH_ABI_MAJOR));
    }
    if (d.min_host_minor > CSH_ABI_MINOR) {
        return refuse_file(file, codes::CORE_PLUGIN_HOST_TOO_OLD,
                           "min_host_minor is " + std::to_string(d.min_host_minor) +
                           ", this server implements plugin ABI " + std::to_string(CSH_ABI_MAJOR) + "." +
                           std::to_string(CSH_ABI_MINOR));
    }
    if (d.struct_size < descriptor_v1_0_size) {
        return refuse_file(file, codes::CORE_PLUGIN_DESCRIPTOR_TOO_SHORT,
                           "the descriptor's struct_size is " + std::to_string(d.struct_size) +
                           " bytes, ABI 1.0 needs at least " + std::to_string(descriptor_v1_0_size));
    }
    return check_required_fields(file, d);
}

}  // namespace csh::plugins
