// ssh.maxStartups and ssh.perSourceMaxStartups: how many connections may be
// open and not yet authenticated, in total and per source address, with
// OpenSSH's random early drop (sshd_config(5), MaxStartups start:rate:full).
// A connection holds a StartupSlot from accept until it authenticates or
// ends. The per-source limit is checked first and a connection it refuses
// is never counted, so one flooding source cannot push the total into the
// drop zone for everyone else.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace csh::ssh {

struct StartupLimits {
    std::size_t begin = 100;    // start: dropping begins at this many
    unsigned rate = 30;         // percent dropped at `begin`
    std::size_t full = 1000;    // every new connection dropped from here on
    std::size_t per_source = 20;  // 0 = no per-source limit
};

// OpenSSH's decision (sshd.c, drop_connection): with `open` unauthenticated
// connections, is the next one dropped? `roll` is uniform in [0, 100).
bool early_drop(const StartupLimits& limits, std::size_t open, unsigned roll);

class StartupGate;

// One admitted, unauthenticated connection. Releasing twice is harmless.
class StartupSlot {
public:
    StartupSlot() = default;
    StartupSlot(std::shared_ptr<StartupGate> gate, std::string source)
        : gate_(std::move(gate)), source_(std::move(source)) {}
    StartupSlot(StartupSlot&& other) noexcept = default;
    StartupSlot& operator=(StartupSlot&& other) noexcept;
    StartupSlot(const StartupSlot&) = delete;
    StartupSlot& operator=(const StartupSlot&) = delete;
    ~StartupSlot() { release(); }
    void release();

private:
    std::shared_ptr<StartupGate> gate_;
    std::string source_;
};

class StartupGate : public std::enable_shared_from_this<StartupGate> {
public:
    // `roll` returns a number uniform in [0, 100); tests pass their own.
    static std::shared_ptr<StartupGate> create(StartupLimits limits, std::function<unsigned()> roll = {});

    enum class Verdict { admitted, per_source, full, dropped_early };
    struct Admission {
        Verdict verdict;
        StartupSlot slot;        // held by the connection when admitted
        std::size_t open;        // unauthenticated connections before this one
        std::size_t from_source; // of them, from this source
    };
    // [any-thread]
    Admission admit(const std::string& source);
    std::size_t open() const;
    const StartupLimits& limits() const { return limits_; }

private:
    StartupGate(StartupLimits limits, std::function<unsigned()> roll);
    friend class StartupSlot;
    void release(const std::string& source);

    const StartupLimits limits_;
    std::function<unsigned()> roll_;
    mutable std::mutex mutex_;
    std::size_t open_ = 0;
    std::unordered_map<std::string, std::size_t> per_source_;
};

}  // namespace csh::ssh
