#include "audit_metrics.hpp"

namespace audit_s3 {

AuditMetrics::AuditMetrics(const csh::sdk::Host& host, std::string_view storage)
    : host_(host), storage_(storage),
      recordings_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_audit_recordings_total",
                                     "Connections whose recording was started.", "recordings", {"storage"})),
      refused_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_audit_refused_connections_total",
                                  "Connections closed because their recording could not be created (a full disk, "
                                  "a directory that cannot be written).",
                                  "connections", {"storage"})),
      pending_(host.metric_define(CSH_METRIC_GAUGE, "containerssh_audit_s3_pending_recordings",
                                  "Recordings in the spool directory that are not complete in the bucket yet, "
                                  "those still being written included. It grows while S3 cannot be reached.",
                                  "recordings")),
      uploaded_bytes_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_audit_s3_uploaded_bytes_total",
                                         "Bytes of recordings S3 accepted (parts and single uploads).", "bytes")),
      failures_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_audit_s3_request_failures_total",
                                   "S3 requests of the uploader that failed; each is tried again after a back-off.",
                                   "failures", {"operation"})) {}

void AuditMetrics::recording_started() const { host_.metric_add(recordings_, {storage_}, 1); }
void AuditMetrics::recording_refused() const { host_.metric_add(refused_, {storage_}, 1); }
void AuditMetrics::pending_uploads(std::size_t count) const {
    host_.metric_set(pending_, {}, static_cast<double>(count));
}
void AuditMetrics::uploaded(uint64_t bytes) const { host_.metric_add(uploaded_bytes_, {}, static_cast<double>(bytes)); }
void AuditMetrics::request_failed(std::string_view operation) const { host_.metric_add(failures_, {operation}, 1); }

}  // namespace audit_s3
