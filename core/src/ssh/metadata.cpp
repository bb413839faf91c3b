#include "ssh/metadata.hpp"

namespace csh::ssh {

void Metadata::merge(const csh_metadata& update) {
    for (size_t i = 0; i < update.count; ++i) {
        const auto& e = update.entries[i];
        auto& item = items_[{e.kind, std::string(e.key.data, e.key.size)}];
        item.value.assign(reinterpret_cast<const char*>(e.value.data), e.value.size);
        item.sensitive = e.sensitive != 0;
    }
    rebuild_view();
}

void Metadata::rebuild_view() {
    entries_.clear();
    for (const auto& [key, item] : items_) {
        csh_metadata_entry e{};
        e.kind = key.first;
        e.sensitive = item.sensitive ? 1 : 0;
        e.key = {key.second.data(), key.second.size()};
        e.value = {reinterpret_cast<const uint8_t*>(item.value.data()), item.value.size()};
        entries_.push_back(e);
    }
}

}  // namespace csh::ssh
