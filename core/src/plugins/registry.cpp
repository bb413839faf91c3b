#include "plugins/registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <string>
#include <system_error>
#include <type_traits>

#include "log/codes.hpp"
#include "plugins/descriptor_check.hpp"

namespace csh::plugins {
namespace {

// The dynamic loader's own explanation ("wrong ELF class", "file too short",
// "libfoo.so: cannot open shared object file") is what an operator needs.
// Boost.DLL reduces it to an error_code but leaves dlerror() set.
std::string loader_error(const boost::dll::fs::error_code& ec) {
    const char* text = dlerror();
    return text != nullptr ? std::string(text) : ec.message();
}

std::vector<std::filesystem::path> plugin_files_in(const std::filesystem::path& dir, std::error_code& ec) {
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
    return files;
}

}  // namespace

Registry::Registry(log::CodeRegistry& codes) : codes_(codes) {}

Registry::~Registry() {
    deinit_all();
    while (!plugins_.empty()) plugins_.pop_back();
}

std::vector<Refusal> Registry::discover(const std::vector<std::filesystem::path>& dirs) {
    std::vector<Refusal> refusals;
    for (const auto& dir : dirs) {
        std::error_code ec;
        const bool present = std::filesystem::exists(dir, ec);
        if (!present && !ec) continue;
        const auto files = ec ? std::vector<std::filesystem::path>{} : plugin_files_in(dir, ec);
        if (ec) {
            refusals.push_back(Refusal{dir, std::string(codes::CORE_PLUGIN_OPEN_FAILED),
                                       "plugin directory " + dir.string() + " cannot be read: " + ec.message()});
            continue;
        }
        for (const auto& file : files) {
            if (auto refusal = add_file(file)) refusals.push_back(std::move(*refusal));
        }
    }
    return refusals;
}

std::optional<Refusal> Registry::add_file(const std::filesystem::path& file) {
    boost::dll::fs::error_code ec;
    dlerror();  // forget an older error so the one reported is this file's
    boost::dll::shared_library library(boost::dll::fs::path(file.native()),
                                       boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !library.is_loaded()) {
        return refuse_file(file, codes::CORE_PLUGIN_OPEN_FAILED, "cannot be loaded: " + loader_error(ec));
    }
    if (!library.has(CSH_PLUGIN_ENTRY_SYMBOL)) {
        return refuse_file(file, codes::CORE_PLUGIN_NO_ENTRY,
                      std::string("does not export ") + CSH_PLUGIN_ENTRY_SYMBOL + ", so it is not a ContainerSSH plugin");
    }
    const auto entry = library.get<std::remove_pointer_t<csh_plugin_entry_fn>>(CSH_PLUGIN_ENTRY_SYMBOL);
    const csh_plugin_descriptor* descriptor = entry();
    if (auto refusal = check_descriptor(file, descriptor)) return refusal;
    if (auto refusal = check_against_loaded(file, *descriptor)) return refusal;
    plugins_.push_back(std::unique_ptr<Plugin>(new Plugin(std::move(library), *descriptor, file)));
    return std::nullopt;
}

// Duplicate id, then duplicate message code. The codes are registered last, by
// the same call that detects a duplicate, so a refused plugin leaves none behind.
std::optional<Refusal> Registry::check_against_loaded(const std::filesystem::path& file,
                                                      const csh_plugin_descriptor& descriptor) {
    for (const auto& loaded : plugins_) {
        if (loaded->id() == descriptor.id) {
            return refuse_file(file, codes::CORE_PLUGIN_DUPLICATE_ID,
                          "plugin id '" + std::string(descriptor.id) + "' is already loaded from " +
                              loaded->path().string());
        }
    }
    if (descriptor.message_code_count > 0) {
        if (auto repeated = codes_.add(descriptor.id, descriptor.message_codes, descriptor.message_code_count)) {
            return refuse_file(file, codes::CORE_PLUGIN_DUPLICATE_CODE,
                          "plugin '" + std::string(descriptor.id) + "' declares message code '" + *repeated +
                              "', which is already registered");
        }
    }
    return std::nullopt;
}

Plugin* Registry::find_provider(std::string_view provides) const {
    for (const auto& plugin : plugins_) {
        if (plugin->provides(provides)) return plugin.get();
    }
    return nullptr;
}

std::optional<Refusal> Registry::init(Plugin& plugin, const csh_host* host) {
    if (plugin.initialised_) return std::nullopt;
    csh_plugin_instance* instance = nullptr;
    const csh_status status = plugin.descriptor_->init(host, &instance);
    if (status != CSH_OK) {
        return Refusal{plugin.path(), std::string(codes::CORE_PLUGIN_INIT_FAILED),
                       "plugin '" + std::string(plugin.id()) + "' (" + plugin.path().string() +
                           "): init returned status " + std::to_string(status)};
    }
    plugin.instance_ = instance;
    plugin.initialised_ = true;
    return std::nullopt;
}

void Registry::deinit_all() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->deinit();
}

}  // namespace csh::plugins
