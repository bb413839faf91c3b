// The loop service of the plugin ABI (csh_loop_service): strands, one-shot
// timers and level-triggered fd watches on the shared io_context.
#pragma once

#include <containerssh/plugin/host.h>

namespace boost::asio { class io_context; }

namespace csh::host {

// The table handed to plugins; `io_of(host)` finds the context of a host.
const csh_loop_service* loop_service();

// After the loop stopped and every plugin's deinit returned: frees the timers
// whose handlers will never run (the loop stopped before they fired). A
// plugin frees what it gave them as `user` when it cancels them in deinit.
void free_abandoned_timers();

// Posts `fn(user)` on `strand` (or anywhere when null). Used by the core too.
void post_task(boost::asio::io_context& io, csh_strand* strand, csh_task_fn fn, void* user);

}  // namespace csh::host
