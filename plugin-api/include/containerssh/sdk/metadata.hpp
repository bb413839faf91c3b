// Connection metadata as owned C++ values, and its conversion to the ABI's
// borrowed csh_metadata view.
#pragma once

#include <containerssh/sdk/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace csh::sdk {

struct MetadataItem {
    csh_metadata_kind kind = CSH_METADATA_GENERIC;
    std::string key;
    std::string value;  // raw bytes
    bool sensitive = false;
};

// An owned list of metadata items, e.g. the metadata a completion reports.
class Metadata {
public:
    Metadata() = default;
    Metadata(std::initializer_list<MetadataItem> items) : items_(items) {}

    // Copies a borrowed ABI list.
    static Metadata copy_of(const csh_metadata& borrowed) {
        Metadata out;
        for (size_t i = 0; i < borrowed.count; ++i) {
            const csh_metadata_entry& e = borrowed.entries[i];
            out.items_.push_back(
                MetadataItem{e.kind, std::string(view(e.key)), std::string(view(e.value)), e.sensitive != 0});
        }
        return out;
    }

    Metadata& add(csh_metadata_kind kind, std::string key, std::string value, bool sensitive = false) {
        items_.push_back(MetadataItem{kind, std::move(key), std::move(value), sensitive});
        return *this;
    }

    const std::vector<MetadataItem>& items() const { return items_; }
    bool empty() const { return items_.empty(); }

    // The ABI view of these items; valid while this object and the returned
    // entry vector live unchanged.
    std::vector<csh_metadata_entry> entries() const {
        std::vector<csh_metadata_entry> out;
        out.reserve(items_.size());
        for (const auto& item : items_) {
            out.push_back(csh_metadata_entry{item.kind, item.sensitive ? 1u : 0u, to_str(item.key), to_bytes(item.value)});
        }
        return out;
    }

private:
    std::vector<MetadataItem> items_;
};

}  // namespace csh::sdk
