// The bytes of one log line in each format. Internal to the log module.
#pragma once

#include <chrono>
#include <string>

#include "log/log_record.hpp"

namespace csh::log {

// "2026-11-22T15:08:00.123Z": RFC 3339, UTC, milliseconds.
std::string format_rfc3339_ms(std::chrono::system_clock::time_point time);

// "Nov 22 15:08:00": the RFC 3164 syslog timestamp, in local time as that RFC asks.
std::string format_rfc3164(std::chrono::system_clock::time_point time);

// {"timestamp":..,"level":..,"code":..,"message":..,"details":{..,"module":..}}\n
std::string format_ljson(const LogRecord& record);

// TIMESTAMP\tLEVEL\tCODE\tmessage (key=value ... module=M)\n
std::string format_text(const LogRecord& record);

// The ljson object without timestamp and level (the syslog header carries
// them), without a trailing newline.
std::string format_syslog_json(const LogRecord& record);

}  // namespace csh::log
