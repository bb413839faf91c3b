// WriteBudget: how many more bytes a fake host side takes towards the
// client, so a plugin test can drive its flow-control path (a write that
// takes fewer bytes than offered, then the ready call). Shared by
// FakeSessionHost and FakeForwardHost.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>

namespace csh::sdk::testing {

class WriteBudget {
public:
    // nullopt: take everything.
    void set(std::optional<size_t> bytes) { left_ = bytes; }

    // Takes up to `offered` bytes from the budget and returns how many; a
    // write that gets fewer than it offered is counted as short.
    size_t take(size_t offered) {
        size_t taken = offered;
        if (left_) {
            taken = std::min(taken, *left_);
            *left_ -= taken;
        }
        if (taken < offered) ++short_writes_;
        return taken;
    }
    size_t short_writes() const { return short_writes_; }

private:
    std::optional<size_t> left_;
    size_t short_writes_ = 0;
};

}  // namespace csh::sdk::testing
