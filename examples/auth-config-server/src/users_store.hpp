// The users currently in force. Request threads take a snapshot per request;
// a SIGHUP reload swaps in a new directory without stopping them, and a
// request that started with the old users finishes with the old users.
#pragma once

#include <memory>

#include "users.hpp"

namespace example_server {

class UsersStore {
public:
    explicit UsersStore(UserDirectory initial)
        : users_(std::make_shared<const UserDirectory>(std::move(initial))) {}

    std::shared_ptr<const UserDirectory> snapshot() const { return std::atomic_load(&users_); }
    void replace(UserDirectory next) {
        std::atomic_store(&users_, std::make_shared<const UserDirectory>(std::move(next)));
    }

private:
    std::shared_ptr<const UserDirectory> users_;
};

}  // namespace example_server
