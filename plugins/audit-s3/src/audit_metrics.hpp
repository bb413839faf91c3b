// The audit plugin's metrics (ours; ContainerSSH has none for audit): what
// an operator alerts on is a spool that keeps growing and connections
// refused for want of a recording.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace audit_s3 {

class AuditMetrics {
public:
    AuditMetrics(const csh::sdk::Host& host, std::string_view storage);

    // [any-thread]
    void recording_started() const;
    void recording_refused() const;
    void pending_uploads(std::size_t count) const;
    void uploaded(uint64_t bytes) const;
    // `operation`: put, create, part, complete, list, abort.
    void request_failed(std::string_view operation) const;

private:
    csh::sdk::Host host_;
    std::string storage_;
    csh::sdk::Metric recordings_;
    csh::sdk::Metric refused_;
    csh::sdk::Metric pending_;
    csh::sdk::Metric uploaded_bytes_;
    csh::sdk::Metric failures_;
};

}  // namespace audit_s3
