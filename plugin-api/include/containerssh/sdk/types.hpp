// Small vocabulary shared by the whole SDK: conversions between the ABI's
// borrowed views and std::string_view, log fields, and the exception type
// that carries a message code through the SDK's exception barriers.
#pragma once

#include <containerssh/plugin.h>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Debug builds stop at SDK contract violations (a completion used twice).
// Tests that provoke them on purpose define CSH_SDK_NO_DEBUG_ASSERTS.
#if !defined(NDEBUG) && !defined(CSH_SDK_NO_DEBUG_ASSERTS)
#define CSH_SDK_DEBUG_ASSERT(condition, text) assert((condition) && text)
#else
#define CSH_SDK_DEBUG_ASSERT(condition, text) ((void)0)
#endif

namespace csh::sdk {

// Bytes travel through the SDK as std::string_view: not necessarily UTF-8,
// never NUL-terminated, borrowed like the ABI views they come from.
inline std::string_view view(csh_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size); }
inline std::string_view view(csh_bytes b) {
    return b.data == nullptr ? std::string_view()
                             : std::string_view(reinterpret_cast<const char*>(b.data), b.size);
}
inline csh_str to_str(std::string_view s) { return csh_str{s.data(), s.size()}; }
inline csh_bytes to_bytes(std::string_view s) {
    return csh_bytes{reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One label of a log line. Both halves are borrowed for the call.
struct LogField {
    std::string_view key;
    std::string_view value;
};

// An error with the message code it should be logged with. Thrown anywhere in
// plugin code, it is caught by the SDK's barrier at the C boundary, logged with
// `code()` and turned into the failure value of the call. Other exceptions are
// logged with the plugin's internal-error code (see messages.hpp).
class Error : public std::runtime_error {
public:
    Error(const char* code, const std::string& message, std::vector<std::pair<std::string, std::string>> fields = {})
        : std::runtime_error(message), code_(code), fields_(std::move(fields)) {}

    const char* code() const noexcept { return code_; }
    const std::vector<std::pair<std::string, std::string>>& fields() const noexcept { return fields_; }

private:
    const char* code_;
    std::vector<std::pair<std::string, std::string>> fields_;
};

// Returns true when `table` (a struct starting with struct_size) holds at
// least its ABI 1.0 fields, `v1_end` being the header's CSH_*_V1_END. A table
// from an older host is shorter than this SDK's struct: that is fine, and
// slots added later are probed one by one with CSH_TABLE_HAS. Never compare
// with sizeof(Table): the day a table grows, every older host would fail it.
template <class Table>
bool table_reaches_v1(const Table* table, std::size_t v1_end) {
    return table != nullptr && table->struct_size >= v1_end;
}

}  // namespace csh::sdk
