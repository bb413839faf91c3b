// Go durations as the configuration holds them ("1h2m3s", "250ms", "1.5µs"):
// the SDK's parse_go_duration, through the core's reader of a duration key
// (a plain integer is nanoseconds). Whatever parses must render with
// format_go_duration and parse back to the same value, since the core hands
// plugins the rendered text and they read it back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const bool quoted : {false, true}) {
        const auto value = csh::config::detail::make_scalar(std::string(text), quoted);
        const auto nanoseconds = csh::config::detail::parse_duration(*value);
        if (!nanoseconds) continue;
        const std::string rendered = csh::sdk::format_go_duration(*nanoseconds);
        const auto again = csh::sdk::parse_go_duration(rendered);
        if (!again || *again != *nanoseconds) std::abort();  // the plugin would read another duration
    }
    return 0;
}
