#include "host/memory_return.hpp"

#include <malloc.h>

namespace csh::host {

void return_free_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);  // every arena, down to what is in use
#endif
}

}  // namespace csh::host
