// FakeConnection: the host's view of one SSH connection
// (csh_connection_info) built from owned, editable values, for plugin tests.
#pragma once

#include <containerssh/sdk/metadata.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>

#include <string>
#include <vector>

namespace csh::sdk::testing {

class FakeConnection {
public:
    FakeConnection(FakeHost& host, std::string user) : username(std::move(user)), strand(host.strand_create()) {}
    FakeConnection(const FakeConnection&) = delete;
    FakeConnection& operator=(const FakeConnection&) = delete;

    std::string connection_id = "0123456789abcdef0123456789abcdef";
    std::string remote_address = "127.0.0.1:40022";
    std::string client_version = "SSH-2.0-OpenSSH_9.2p1";
    std::string username;
    std::string authenticated_username;
    std::string country = "XX";
    Metadata metadata;
    csh_strand* strand;

    // The host handle log lines and audit events of this connection carry.
    csh_connection* handle() { return reinterpret_cast<csh_connection*>(this); }

    // The ABI view of the fields above; valid until the next call or change.
    const csh_connection_info& info() {
        entries_ = metadata.entries();
        info_ = csh_connection_info{};
        info_.struct_size = sizeof(info_);
        info_.connection_id = to_str(connection_id);
        info_.remote_address = to_str(remote_address);
        info_.client_version = to_str(client_version);
        info_.username = to_str(username);
        info_.authenticated_username = to_str(authenticated_username);
        info_.metadata = csh_metadata{entries_.data(), entries_.size()};
        info_.strand = strand;
        info_.connection = handle();
        info_.country = to_str(country);
        return info_;
    }

private:
    std::vector<csh_metadata_entry> entries_;
    csh_connection_info info_{};
};

}  // namespace csh::sdk::testing
