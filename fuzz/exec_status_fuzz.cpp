// The Status a Kubernetes API server writes on channel 3 of an exec or
// attach stream, as parse_exec_status reads it: any bytes. Exactly one of an
// exit code and an error comes out, and an error is one short line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/exec_status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto end = backend_kubernetes::api::parse_exec_status(text);
    if (end.exit_code.has_value() == !end.error.empty()) std::abort();
    if (end.error.find('\n') != std::string::npos || end.error.size() > 512) std::abort();
    return 0;
}
