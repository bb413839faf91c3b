#!/usr/bin/env bash
# login.sh KNOWN_HOSTS WORD STATUS: logs in through the gateway on
# 127.0.0.1:2222 as the test user with the real OpenSSH client (the package's
# openssh-client, in a test container) and runs a program that writes
# "WORD", a NUL byte and a newline to stdout, "to stderr" to stderr, and exits
# with STATUS. Exits 0 when ssh returned exactly those bytes and that status,
# 1 otherwise; prints what came back either way. The password comes from
# $TEST_PASSWORD through SSH_ASKPASS, as the integration suites give it; the
# host key must be the one in KNOWN_HOSTS.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 KNOWN_HOSTS WORD STATUS" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2016 # expanded by the askpass script, not here
printf '#!/bin/sh\nprintf "%%s\\n" "$TEST_PASSWORD"\n' >"$dir/askpass"
chmod 0700 "$dir/askpass"
set +e
SSH_ASKPASS=$dir/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
  ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$1" \
      -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
      -o ConnectTimeout=30 -o LogLevel=ERROR \
      tester@127.0.0.1 "printf '$2\\0\\n'; printf 'to stderr' >&2; exit $3" </dev/null >"$dir/out" 2>"$dir/err"
status=$?
set -e
printf '%s\0\n' "$2" >"$dir/expected"
echo "   exit status $status; stdout$(od -An -c "$dir/out" | tr -s ' ' | tr -d '\n'); stderr: $(cat "$dir/err")"
[ "$status" -eq "$3" ] && cmp -s "$dir/out" "$dir/expected" && [ "$(cat "$dir/err")" = "to stderr" ]
