#include "log/codes.hpp"

#include <iterator>

namespace csh::log {
namespace {

constexpr csh_message_code kCoreCodes[] = {
#define CSH_MESSAGE(CODE, LEVEL, MODULE, EXPLANATION) {#CODE, CSH_LOG_##LEVEL, EXPLANATION},
#include "../../messages.def"
#undef CSH_MESSAGE
};

// Kept parallel to kCoreCodes (same X-macro, same order) because the ABI's
// csh_message_code has no module field: plugins get their module from their id.
constexpr const char* kCoreModules[] = {
#define CSH_MESSAGE(CODE, LEVEL, MODULE, EXPLANATION) MODULE,
#include "../../messages.def"
#undef CSH_MESSAGE
};

static_assert(std::size(kCoreCodes) == std::size(kCoreModules));

}  // namespace

const csh_message_code* core_message_codes() { return kCoreCodes; }

std::size_t core_message_code_count() { return std::size(kCoreCodes); }

const char* core_message_module(std::size_t index) {
    return index < std::size(kCoreModules) ? kCoreModules[index] : nullptr;
}

}  // namespace csh::log
