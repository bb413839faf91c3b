// A read-only view of csh_connection_info. Like the struct it wraps, it is
// borrowed for the duration of the call that received it: copy what you keep.
#pragma once

#include <containerssh/sdk/metadata.hpp>
#include <containerssh/sdk/types.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace csh::sdk {

class ConnectionInfo {
public:
    explicit ConnectionInfo(const csh_connection_info& info) : info_(&info) {}

    std::string_view connection_id() const { return view(info_->connection_id); }
    std::string_view remote_address() const { return view(info_->remote_address); }
    std::string_view client_version() const { return view(info_->client_version); }
    std::string_view username() const { return view(info_->username); }
    std::string_view authenticated_username() const { return view(info_->authenticated_username); }
    // The authenticated identity when there is one, else the requested name.
    std::string_view effective_username() const {
        return authenticated_username().empty() ? username() : authenticated_username();
    }
    // The GeoIP country of the client ("XX" when unknown).
    std::string_view country() const { return info_->country.size == 0 ? "XX" : view(info_->country); }
    csh_strand* strand() const { return info_->strand; }
    csh_connection* connection() const { return info_->connection; }
    const csh_metadata& raw_metadata() const { return info_->metadata; }
    const csh_connection_info& raw() const { return *info_; }

    // The value of the last metadata item of `kind` named `key`, if any.
    std::optional<std::string_view> metadata(csh_metadata_kind kind, std::string_view key) const {
        std::optional<std::string_view> found;
        for (size_t i = 0; i < info_->metadata.count; ++i) {
            const csh_metadata_entry& e = info_->metadata.entries[i];
            if (e.kind == kind && view(e.key) == key) found = view(e.value);
        }
        return found;
    }

    // An owned copy of every metadata item.
    Metadata metadata_copy() const { return Metadata::copy_of(info_->metadata); }

private:
    const csh_connection_info* info_;
};

}  // namespace csh::sdk
