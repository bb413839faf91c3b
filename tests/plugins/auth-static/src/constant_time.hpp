// Comparing secrets without leaking, through timing, where they differ.
#pragma once

#include <string_view>

namespace auth_static {

// True when `given` equals `expected`. The time taken depends only on the
// length of `expected`, never on the position of the first difference.
inline bool constant_time_equal(std::string_view given, std::string_view expected) {
    unsigned difference = given.size() == expected.size() ? 0u : 1u;
    for (size_t i = 0; i < expected.size(); ++i) {
        const unsigned char g = given.empty() ? 0 : static_cast<unsigned char>(given[i % given.size()]);
        difference |= g ^ static_cast<unsigned char>(expected[i]);
    }
    return difference == 0;
}

}  // namespace auth_static
