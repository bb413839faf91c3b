// The agent is built with -fno-exceptions, but libstdc++'s container code in
// the headers still calls std::__throw_* on impossible sizes and failed
// allocations. The library's own versions throw, which links the unwinder,
// the personality routine and the verbose terminate handler with its C++
// demangler (about 90 KB of a static agent). Nothing here could catch
// anyway: these report on stderr and abort instead. (std::string's members
// come from the library's explicit instantiation, compiled with exceptions,
// unless _GLIBCXX_ASSERTIONS turns that off: agent/CMakeLists.txt sets it.)
#include <cstdlib>
#include <new>

#include "../output.hpp"

namespace {

[[noreturn]] void give_up(const char* what) {
    csh::agent::report_error({"forward-server: ", what});
    std::abort();
}

}  // namespace

namespace std {

void __throw_bad_alloc() { give_up("out of memory"); }
void __throw_bad_array_new_length() { give_up("out of memory (array length)"); }
void __throw_length_error(const char* what) { give_up(what); }
void __throw_logic_error(const char* what) { give_up(what); }
void __throw_out_of_range_fmt(const char* what, ...) { give_up(what); }
// _GLIBCXX_ASSERTIONS (bounds checks, set in agent/CMakeLists.txt) reports here.
void __glibcxx_assert_fail(const char* /*file*/, int /*line*/, const char* /*function*/, const char* condition) noexcept {
    give_up(condition);
}

}  // namespace std

// operator new from libstdc++ throws std::bad_alloc the same way.
void* operator new(std::size_t size) {
    void* memory = std::malloc(size == 0 ? 1 : size);
    if (memory == nullptr) give_up("out of memory");
    return memory;
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
