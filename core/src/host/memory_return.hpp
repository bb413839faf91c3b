// Gives memory the allocator holds but no one uses back to the system.
// glibc keeps freed heap in its arenas for reuse, so after a burst of
// connections the process stayed at its peak (measured: 19 MB at rest,
// 249 MB after 8,000 connections had all closed).
#pragma once

namespace csh::host {

// [any-thread] Cheap on a small heap; call when a burst is over.
void return_free_memory();

}  // namespace csh::host
