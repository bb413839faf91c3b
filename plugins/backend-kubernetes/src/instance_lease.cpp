#include "instance_lease.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_writer.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace backend_kubernetes {

std::chrono::seconds seconds_from_environment(const char* name, std::chrono::seconds fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value <= 0) return fallback;
    return std::chrono::seconds(value);
}

std::chrono::seconds lease_duration() {
    static const auto duration = seconds_from_environment("CONTAINERSSH_KUBERNETES_LEASE_DURATION", kLeaseDuration);
    return duration;
}

std::chrono::seconds lease_renew_interval() {
    if (lease_duration() == kLeaseDuration) return kLeaseRenewInterval;
    return std::max(std::chrono::seconds(1), lease_duration() / 4);
}

std::chrono::seconds lease_skew_margin() {
    static const auto margin = seconds_from_environment("CONTAINERSSH_KUBERNETES_LEASE_SKEW_MARGIN", kLeaseSkewMargin);
    return margin;
}

std::string lease_name(const std::string& instance_id) { return "containerssh-" + instance_id; }

std::string micro_time(std::time_t t) {
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000000Z", &utc);
    return text;
}

std::optional<std::time_t> parse_micro_time(const std::string& text) {
    std::tm utc{};
    int fraction_end = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon, &utc.tm_mday, &utc.tm_hour,
                    &utc.tm_min, &utc.tm_sec, &fraction_end) != 6) {
        return std::nullopt;
    }
    utc.tm_year -= 1900;
    utc.tm_mon -= 1;
    // Fractions and a "Z" follow; other offsets are not written by clients
    // that follow the MicroTime format.
    return ::timegm(&utc);
}

bool lease_expired(const LeaseView& lease, std::time_t now) {
    const auto renewed = parse_micro_time(lease.renew_time);
    if (!renewed) return true;
    const int64_t duration = lease.duration_seconds > 0 ? lease.duration_seconds : lease_duration().count();
    return *renewed + duration + lease_skew_margin().count() < now;
}

std::string lease_body(const std::string& ns, const std::string& instance_id, const std::string& holder,
                       std::time_t now, const std::string& resource_version) {
    csh::sdk::JsonWriter json;
    json.begin_object();
    json.key("apiVersion").value("coordination.k8s.io/v1");
    json.key("kind").value("Lease");
    json.key("metadata");
    json.begin_object();
    json.key("name").value(lease_name(instance_id));
    json.key("namespace").value(ns);
    if (!resource_version.empty()) json.key("resourceVersion").value(resource_version);
    json.key("labels");
    json.begin_object();
    json.key(kLeaseLabel).value(kLeaseLabelValue);
    json.end_object();
    json.end_object();
    json.key("spec");
    json.begin_object();
    json.key("holderIdentity").value(holder);
    json.key("leaseDurationSeconds").value(static_cast<int64_t>(lease_duration().count()));
    json.key("renewTime").value(micro_time(now));
    json.end_object();
    json.end_object();
    return json.take();
}

InstanceLease::InstanceLease(csh::sdk::Host host, std::shared_ptr<ApiClient> api, std::string ns,
                             std::string instance_id)
    : host_(std::move(host)),
      strand_(host_.strand_create()),
      api_(std::move(api)),
      namespace_(std::move(ns)),
      instance_id_(std::move(instance_id)) {}

InstanceLease::~InstanceLease() {
    next_.cancel();
    host_.strand_destroy(strand_);
}

void InstanceLease::start(std::function<void()> ready) {
    auto self = shared_from_this();
    host_.post(strand_, [self, ready = std::move(ready)]() mutable {
        self->ready_ = std::move(ready);
        self->renew();
    });
}

void InstanceLease::log_failure(const ApiResult& r) {
    host_.log(codes::KUBERNETES_LEASE_RENEW_FAILED, r.error,
              {{"lease", lease_name(instance_id_)}, {"namespace", namespace_}, {"server", api_->server()}});
}

void InstanceLease::renew() {
    auto weak = weak_from_this();
    auto answered = [weak](ApiResult r, LeaseView lease) {
        auto self = weak.lock();
        if (!self) return;
        if (r.ok()) {
            self->resource_version_ = lease.resource_version;
        } else {
            // Someone changed it (a collector that thought us dead, or our
            // own earlier run): read it again and write over it next time.
            self->resource_version_.clear();
            self->log_failure(r);
        }
        if (auto ready = std::move(self->ready_)) {
            self->ready_ = nullptr;
            ready();
        }
        self->schedule();
    };
    const std::time_t now = std::time(nullptr);
    if (!resource_version_.empty()) {
        api_->replace_lease(CallSite{strand_, {}}, namespace_, lease_name(instance_id_),
                            lease_body(namespace_, instance_id_, instance_id_, now, resource_version_), answered);
        return;
    }
    // First round, or after a conflict: find out whether it exists.
    api_->get_lease(CallSite{strand_, {}}, namespace_, lease_name(instance_id_),
                    [weak, now, answered](ApiResult r, LeaseView lease) {
                        auto self = weak.lock();
                        if (!self) return;
                        if (r.status == 404) {
                            self->api_->create_lease(
                                CallSite{self->strand_, {}}, self->namespace_,
                                lease_body(self->namespace_, self->instance_id_, self->instance_id_, now, {}), answered);
                            return;
                        }
                        if (!r.ok()) return answered(r, lease);
                        self->api_->replace_lease(CallSite{self->strand_, {}}, self->namespace_,
                                                  lease_name(self->instance_id_),
                                                  lease_body(self->namespace_, self->instance_id_, self->instance_id_,
                                                             now, lease.resource_version),
                                                  answered);
                    });
}

void InstanceLease::schedule() {
    auto weak = weak_from_this();
    next_ = host_.timer_start(strand_, lease_renew_interval(), [weak] {
        if (auto self = weak.lock()) self->renew();
    });
}

}  // namespace backend_kubernetes
