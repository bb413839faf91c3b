// The example server's log: one JSON object per line on standard output, in
// ContainerSSH's "ljson" format, so the same tools read both logs:
//
//   {"timestamp":"2026-11-22T15:08:00.123Z","level":"notice","code":"CONFIG_SERVER_AVAILABLE",
//    "message":"...","details":{"address":"127.0.0.1:8080","module":"auth-config-server"}}
//
// Fields are written as given: callers never pass secrets (passwords,
// hashes) in a message or a field, and nothing here filters them.
#pragma once

#include <atomic>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "messages.hpp"

namespace example_server {

// "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug".
std::string_view level_name(Level level);

// Accepts exactly the names above and "0" (emerg) to "7" (debug), as
// ContainerSSH's log.level does; anything else is nullopt.
std::optional<Level> parse_level(std::string_view text);

// "| Code | Level | Module | Explanation |", its separator row and one row per
// code of messages.def, sorted by code: what --list-codes prints.
std::string code_table_markdown();

using Field = std::pair<std::string_view, std::string_view>;

class Logger {
public:
    // Lines whose code has a level less severe than `level` are not written.
    explicit Logger(Level level) : level_(level) {}

    // Thread-safe; never throws. An empty message is replaced by the code's
    // explanation. A field named "module" is dropped: every line's module is
    // kLogModule.
    void log(const Message& code, std::string_view message, std::initializer_list<Field> fields = {}) noexcept;

private:
    const Level level_;
    std::mutex write_mutex_;
    // Set by a failed write (reported once on stderr), cleared by a good one.
    std::atomic<bool> write_failing_{false};
};

}  // namespace example_server
