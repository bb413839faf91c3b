// forward-server: the endpoint for SSH port, socket and X11 forwarding in
// ContainerSSH. Accepted as a mode so the gateway gets a clear answer instead
// of a usage error, but not implemented yet.
#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"

namespace csh::agent {

int run_forward_server(char** /*args*/) {
    report_error({"forward-server (port, socket and X11 forwarding) is not supported in this version of "
                  "containerssh-agent"});
    return kExitUsage;
}

}  // namespace csh::agent
