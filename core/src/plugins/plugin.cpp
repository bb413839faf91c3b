#include "plugins/plugin.hpp"

#include <utility>

#include "log/codes.hpp"
#include "plugins/interface_check.hpp"

namespace csh::plugins {

Plugin::Plugin(boost::dll::shared_library library, const csh_plugin_descriptor& descriptor,
               std::filesystem::path path)
    : library_(std::move(library)), descriptor_(&descriptor), path_(std::move(path)) {}

Plugin::~Plugin() { deinit(); }

bool Plugin::provides(std::string_view what) const {
    for (std::size_t i = 0; i < descriptor_->provides_count; ++i) {
        if (what == descriptor_->provides[i]) return true;
    }
    return false;
}

void Plugin::deinit() {
    if (!initialised_) return;
    initialised_ = false;
    descriptor_->deinit(instance_);
    instance_ = nullptr;
}

const void* Plugin::interface(const char* interface_id, Refusal* error) const {
    const auto fail = [&](std::string_view code, std::string detail) -> const void* {
        if (error != nullptr) {
            *error = Refusal{path_, std::string(code),
                             "plugin '" + std::string(id()) + "' (" + path_.string() + "): " + std::move(detail)};
        }
        return nullptr;
    };
    if (!initialised_) {
        return fail(codes::CORE_PLUGIN_INTERFACE_MISSING,
                    std::string("interface ") + interface_id + " was asked for before the plugin was initialised");
    }
    const void* table = descriptor_->get_interface(instance_, interface_id);
    if (table == nullptr) {
        return fail(codes::CORE_PLUGIN_INTERFACE_MISSING,
                    std::string("does not implement interface ") + interface_id);
    }
    if (auto defect = find_interface_defect(interface_id, table)) {
        return fail(codes::CORE_PLUGIN_SLOT_MISSING, std::string("interface ") + interface_id + ": " +
                                                         defect->field + " " + defect->problem);
    }
    return table;
}

}  // namespace csh::plugins
