// Webhook requests still waiting for an answer, by SSH connection, so that a
// client who leaves does not keep the gateway retrying for up to authTimeout.
#pragma once

#include <csh/webhook/http_client.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace auth_http {

class InflightRequests {
public:
    struct Request {
        csh::webhook::HttpClient* client;
        csh::webhook::HttpClient::RequestId id;
    };

    // [any-thread] Starts a request with `start()` (which returns its id) and
    // records it under `tag`. The lock is held across start, so remove() for a
    // request that finished at once waits until it is recorded.
    template <class Start>
    void add(const std::string& connection_id, const void* tag, csh::webhook::HttpClient* client, Start start) {
        std::lock_guard lock(mutex_);
        const auto id = start();
        requests_.emplace(connection_id, Entry{tag, Request{client, id}});
    }

    // [any-thread] Forgets the request recorded under `tag`.
    void remove(const std::string& connection_id, const void* tag) {
        std::lock_guard lock(mutex_);
        auto [first, last] = requests_.equal_range(connection_id);
        for (auto it = first; it != last; ++it) {
            if (it->second.tag == tag) {
                requests_.erase(it);
                return;
            }
        }
    }

    // [any-thread] Forgets and returns every request of a connection.
    std::vector<Request> take(std::string_view connection_id) {
        std::lock_guard lock(mutex_);
        std::vector<Request> out;
        auto [first, last] = requests_.equal_range(std::string(connection_id));
        for (auto it = first; it != last; ++it) out.push_back(it->second.request);
        requests_.erase(first, last);
        return out;
    }

private:
    struct Entry {
        const void* tag;
        Request request;
    };
    std::mutex mutex_;
    std::multimap<std::string, Entry> requests_;
};

}  // namespace auth_http
