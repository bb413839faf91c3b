// A MuxChannel for the tests: records its events (into a log it may share
// with other channels, so their order shows), keeps the bytes it took, takes
// at most `take_limit` per data() and runs optional hooks from inside the
// callbacks (to test re-entrancy).
#pragma once

#include <csh/agent_forward/forward_mux.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::agent_forward::test {

class TestChannel : public MuxChannel {
public:
    TestChannel(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}

    void opened() override {
        record("opened");
        if (on_opened) on_opened();
    }
    void refused(const std::string& reason) override { record("refused: " + reason); }
    size_t data(std::string_view bytes) override {
        const size_t take = std::min(bytes.size(), take_limit);
        record("data " + std::to_string(bytes.size()) + " took " + std::to_string(take));
        received.append(bytes.substr(0, take));
        if (on_data) on_data();
        return take;
    }
    void eof() override { record("eof"); }
    void closed(const std::string& reason) override { record("closed: " + reason); }
    void send_ready() override {
        record("ready");
        if (on_send_ready) on_send_ready();
    }

    std::string received;
    size_t take_limit = static_cast<size_t>(-1);
    std::function<void()> on_opened;
    std::function<void()> on_data;
    std::function<void()> on_send_ready;

private:
    void record(const std::string& what) { log_.push_back(name_ + " " + what); }

    std::string name_;
    std::vector<std::string>& log_;
};

}  // namespace csh::agent_forward::test
