#include "ssh/startup_gate.hpp"

#include <random>
#include <utility>

namespace csh::ssh {

bool early_drop(const StartupLimits& limits, std::size_t open, unsigned roll) {
    if (open < limits.begin) return false;
    if (open >= limits.full) return true;
    // The chance rises linearly from `rate` at `begin` to 100% at `full`.
    const std::size_t span = limits.full - limits.begin;  // > 0 here: begin <= open < full
    const std::size_t chance = limits.rate + (100 - limits.rate) * (open - limits.begin) / span;
    return roll < chance;
}

StartupSlot& StartupSlot::operator=(StartupSlot&& other) noexcept {
    if (this != &other) {
        release();
        gate_ = std::move(other.gate_);
        source_ = std::move(other.source_);
    }
    return *this;
}

void StartupSlot::release() {
    if (auto gate = std::exchange(gate_, nullptr)) gate->release(source_);
}

std::shared_ptr<StartupGate> StartupGate::create(StartupLimits limits, std::function<unsigned()> roll) {
    if (!roll) {
        auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
        roll = [engine] { return static_cast<unsigned>((*engine)() % 100); };
    }
    return std::shared_ptr<StartupGate>(new StartupGate(limits, std::move(roll)));
}

StartupGate::StartupGate(StartupLimits limits, std::function<unsigned()> roll)
    : limits_(limits), roll_(std::move(roll)) {}

StartupGate::Admission StartupGate::admit(const std::string& source) {
    std::lock_guard lock(mutex_);
    auto it = per_source_.find(source);
    const std::size_t from_source = it == per_source_.end() ? 0 : it->second;
    if (limits_.per_source > 0 && from_source >= limits_.per_source) {
        return {Verdict::per_source, {}, open_, from_source};
    }
    if (open_ >= limits_.full) return {Verdict::full, {}, open_, from_source};
    // roll_ runs under the lock: the engine is shared by the accepting threads.
    if (early_drop(limits_, open_, roll_())) return {Verdict::dropped_early, {}, open_, from_source};
    ++open_;
    ++per_source_[source];
    return {Verdict::admitted, StartupSlot(shared_from_this(), source), open_ - 1, from_source};
}

std::size_t StartupGate::open() const {
    std::lock_guard lock(mutex_);
    return open_;
}

void StartupGate::release(const std::string& source) {
    std::lock_guard lock(mutex_);
    auto it = per_source_.find(source);
    if (it == per_source_.end()) return;
    --open_;
    if (--it->second == 0) per_source_.erase(it);
}

}  // namespace csh::ssh
