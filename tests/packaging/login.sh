#!/usr/bin/env bash
# login.sh KNOWN_HOSTS COMMAND: runs COMMAND through the gateway on
# 127.0.0.1:2222 as the test user with the real OpenSSH client, in a test
# container (the package's openssh-client). The password comes from
# $TEST_PASSWORD through SSH_ASKPASS, as the integration suites give it; the
# host key must be the one in KNOWN_HOSTS. Its standard streams and exit
# status are ssh's, for the caller to compare.
set -euo pipefail
askpass=$(mktemp)
trap 'rm -f "$askpass"' EXIT
# shellcheck disable=SC2016 # expanded by the askpass script, not here
printf '#!/bin/sh\nprintf "%%s\\n" "$TEST_PASSWORD"\n' >"$askpass"
chmod 0700 "$askpass"
set +e
SSH_ASKPASS=$askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
  ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$1" \
      -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
      -o ConnectTimeout=30 -o LogLevel=ERROR \
      tester@127.0.0.1 "$2" </dev/null
status=$?
rm -f "$askpass"
exit $status
