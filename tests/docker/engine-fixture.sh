#!/usr/bin/env bash
# The ctest fixture around the shared Docker engine of the suites labelled
# docker (tests/docker/CMakeLists.txt).
#
#   engine-fixture.sh up DIR AGENT_BINARY TAG   engine up (scripts/docker-engine
#        start DIR), its host written to DIR/host for the suites
#        (harness/docker.hpp: engine_host()), guest image TAG built into it
#   engine-fixture.sh down DIR                  stops the engine if we started
#        it and no other ctest run still uses it
#
# Two ctest runs on one build tree (two people, or a run and a rerun of one
# test) share DIR: each run registers itself (its ctest's pid, the parent of
# this script) in DIR/users, and only the last one to leave stops the engine
# and removes DIR/host, so no run's engine is stopped under it.
set -euo pipefail
scripts=$(cd "$(dirname "$0")/../../scripts" && pwd)
run_id=$PPID

# Forgets registered runs whose ctest has ended (crashed or killed).
prune_users() {
  local entry
  for entry in "$1"/users/*; do
    [ -e "$entry" ] || continue
    kill -0 "$(basename "$entry")" 2>/dev/null || rm -f "$entry"
  done
}

case "${1:-}" in
  up)
    [ $# -eq 4 ] || { echo "usage: $0 up DIR AGENT_BINARY TAG" >&2; exit 2; }
    dir=$2 agent=$3 tag=$4
    mkdir -p "$dir/users"
    exec 8>"$dir/fixture.lock"
    flock 8
    prune_users "$dir"
    touch "$dir/users/$run_id"
    host=$("$scripts/docker-engine" start "$dir" 8>&-)
    echo "engine: $host"
    DOCKER_HOST=$host "$scripts/build-guest-image" "$agent" "$tag" 8>&-
    # Written last: its presence says the engine and the image are ready.
    echo "$host" >"$dir/host.new"
    mv "$dir/host.new" "$dir/host"
    ;;
  down)
    [ $# -eq 2 ] || { echo "usage: $0 down DIR" >&2; exit 2; }
    dir=$2
    mkdir -p "$dir/users"
    exec 8>"$dir/fixture.lock"
    flock 8
    rm -f "$dir/users/$run_id"
    prune_users "$dir"
    if [ -n "$(ls -A "$dir/users")" ]; then
      echo "engine kept: another ctest run uses it ($(ls "$dir/users" | tr '\n' ' '))"
      exit 0
    fi
    rm -f "$dir/host"
    "$scripts/docker-engine" stop "$dir" 8>&-
    ;;
  *)
    echo "usage: $0 up DIR AGENT_BINARY TAG | down DIR" >&2
    exit 2
    ;;
esac
