// X11 forwarding's authority entry: the cookie the client sent in x11-req,
// written where X clients in the container look for it ($XAUTHORITY, else
// $HOME/.Xauthority), so images need no `xauth` program (ContainerSSH's
// agent ran /usr/bin/xauth and panicked without it).
#pragma once

#include <string>

namespace csh::agent::forward {

// Adds (or replaces) the entry for display `display` of this host
// (FamilyLocal with the host name, as sshd's `xauth add unix:N` does, which
// is what Xlib looks up for DISPLAY=localhost:N): protocol `protocol`
// (MIT-MAGIC-COOKIE-1) and the cookie given as hex text. Other entries of
// the file are kept; the file is replaced atomically with mode 0600.
// Returns false with `why` set on failure.
bool add_xauthority_entry(unsigned display, const std::string& protocol, const std::string& cookie_hex,
                          std::string& why);

// Where the entry goes: $XAUTHORITY, else $HOME/.Xauthority; empty when
// neither is set.
std::string xauthority_path();

}  // namespace csh::agent::forward
