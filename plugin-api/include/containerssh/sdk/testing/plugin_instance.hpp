// Loading and initialising a plugin against a FakeHost, the way the core
// does: from a shared object (SharedObject) or from a descriptor linked into
// the test itself (PluginInstance on containerssh_plugin_entry()).
#pragma once

#include <containerssh/plugin.h>
#include <containerssh/sdk/testing/fake_host.hpp>

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace csh::sdk::testing {

// A plugin .so opened with dlopen; closed when destroyed.
class SharedObject {
public:
    explicit SharedObject(const std::string& path) : handle_(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        if (handle_ == nullptr) throw std::runtime_error("cannot load " + path + ": " + ::dlerror());
        void* entry = ::dlsym(handle_, CSH_PLUGIN_ENTRY_SYMBOL);
        if (entry == nullptr) throw std::runtime_error(path + " does not export " CSH_PLUGIN_ENTRY_SYMBOL);
        descriptor_ = reinterpret_cast<csh_plugin_entry_fn>(entry)();
    }
    SharedObject(const SharedObject&) = delete;
    SharedObject& operator=(const SharedObject&) = delete;
    ~SharedObject() { ::dlclose(handle_); }

    const csh_plugin_descriptor* descriptor() const { return descriptor_; }

private:
    void* handle_;
    const csh_plugin_descriptor* descriptor_ = nullptr;
};

// An initialised instance: registers the plugin's codes with the FakeHost,
// calls init, and deinit when destroyed (only when init succeeded).
class PluginInstance {
public:
    PluginInstance(FakeHost& host, const csh_plugin_descriptor* descriptor) : descriptor_(descriptor) {
        host.register_codes(descriptor->message_codes, descriptor->message_code_count);
        status_ = descriptor->init(host.host(), &instance_);
    }
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;
    ~PluginInstance() {
        if (status_ == CSH_OK) descriptor_->deinit(instance_);
    }

    csh_status init_status() const { return status_; }
    csh_plugin_instance* get() const { return instance_; }

    // The interface table `id`, checked for completeness; NULL when absent.
    template <class Table>
    const Table* interface(const char* id) const {
        if (status_ != CSH_OK) return nullptr;
        const auto* table = static_cast<const Table*>(descriptor_->get_interface(instance_, id));
        return table != nullptr && table->struct_size >= sizeof(Table) ? table : nullptr;
    }

private:
    const csh_plugin_descriptor* descriptor_;
    csh_plugin_instance* instance_ = nullptr;
    csh_status status_ = CSH_FAILED;
};

}  // namespace csh::sdk::testing
