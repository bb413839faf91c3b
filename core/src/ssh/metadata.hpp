// A connection's metadata, environment and files, accumulated through
// authentication, authorization and the configuration server (later answers
// override earlier ones key by key), and lent to plugins as a csh_metadata view.
#pragma once

#include <containerssh/plugin/common.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace csh::ssh {

class Metadata {
public:
    Metadata() = default;
    // Copies and moves rebuild the view, which points into the items.
    Metadata(const Metadata& other) : items_(other.items_) { rebuild_view(); }
    Metadata(Metadata&& other) noexcept : items_(std::move(other.items_)) { rebuild_view(); }
    Metadata& operator=(const Metadata& other) {
        items_ = other.items_;
        rebuild_view();
        return *this;
    }
    Metadata& operator=(Metadata&& other) noexcept {
        items_ = std::move(other.items_);
        rebuild_view();
        return *this;
    }
    // Merges another accumulated set over this one.
    void merge(const Metadata& update) { merge(update.view()); }
    void merge(const csh_metadata& update);
    // A view valid until the next merge.
    csh_metadata view() const { return {entries_.data(), entries_.size()}; }
    size_t size() const { return items_.size(); }

private:
    struct Item {
        std::string value;
        bool sensitive = false;
    };
    void rebuild_view();

    std::map<std::pair<csh_metadata_kind, std::string>, Item> items_;
    std::vector<csh_metadata_entry> entries_;
};

}  // namespace csh::ssh
