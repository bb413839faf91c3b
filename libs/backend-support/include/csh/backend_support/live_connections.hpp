// The connection ids this gateway is serving, so the orphan collector can
// tell its own live containers or pods from those a crash left behind. An id is added
// before its first container or pod is created and removed after its last one is
// gone. [any-thread]
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace csh::backend_support {

class LiveConnections {
public:
    void add(const std::string& id) {
        std::lock_guard<std::mutex> lock(mutex_);
        ids_.insert(id);
    }
    void remove(const std::string& id) {
        std::lock_guard<std::mutex> lock(mutex_);
        ids_.erase(id);
    }
    bool contains(const std::string& id) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return ids_.count(id) != 0;
    }

private:
    mutable std::mutex mutex_;
    std::set<std::string> ids_;
};

}  // namespace csh::backend_support
