#!/bin/sh
# The gateway image's entry point. First what the systemd unit does before a
# start: a host key in /var/lib/containerssh when none is there and the
# directory can take one (a read-only mount without a key is left to the
# gateway, which names the missing ssh.hostkeys entry). Then the gateway, by
# exec: it is PID 1, so `docker stop` sends SIGTERM to it, and it drains and
# removes its containers before it exits (which takes longer than docker's
# default 10 s: docs/install.md says to pass --stop-timeout 60).
set -eu
if [ -w /var/lib/containerssh ]; then
  /usr/libexec/containerssh/containerssh-host-keys /var/lib/containerssh
fi
exec /usr/bin/containerssh "$@"
