// forward-server: the container's end of SSH port and socket forwarding, as
// ContainerSSH's agent (docs/design/forwarding.md). Packets come on stdin and
// go out on stdout; stderr carries the agent's own messages, which the
// gateway logs. The work is in forward/.
#include "commands.hpp"
#include "exit_codes.hpp"
#include "forward/server.hpp"
#include "usage.hpp"

namespace csh::agent {

int run_forward_server(char** args) {
    // The gateway passes no flags; anything else is a mistake worth naming.
    if (args[0] != nullptr) return usage_error({"forward-server takes no arguments, got: ", args[0]});
    forward::ForwardServer server;
    return server.run();
}

}  // namespace csh::agent
