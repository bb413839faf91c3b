# shellcheck shell=bash disable=SC2034
# Shared by the packaging tests (sourced): the engine of the docker_engine
# fixture, where the packages and the Debian base are, clean-up of what a test
# started. Every test works under BUILD_DIR/packaging-test.
set -euo pipefail

build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$build_dir/packaging-test
debs=$work/debs
base_image=containerssh-test/debian:12

host_file=$build_dir/docker-engine/host
[ -s "$host_file" ] || { echo "no engine: $host_file is missing (the docker_engine fixture did not run)" >&2; exit 1; }
DOCKER_HOST=$(cat "$host_file")
export DOCKER_HOST
# The engine's socket is mounted into the test containers, so it must be one.
case "$DOCKER_HOST" in
  unix://*) engine_socket=${DOCKER_HOST#unix://} ;;
  *) echo "the engine at $DOCKER_HOST is not a Unix socket; these tests mount it" >&2; exit 1 ;;
esac
# Whoever may open the socket: the group the package's user must be in.
engine_socket_gid=$(stat -c %g "$engine_socket")

# apt's lists and downloaded packages, fetched by prepare.sh (the only step
# with a network) and given read-only to the test containers, which install
# offline: the downloads are copied into the container's own archive
# directory first (apt locks that directory, and tests run in parallel).
apt_cache=$work/apt-cache
apt_mounts=(-v "$apt_cache/lists:/var/lib/apt/lists:ro" -v "$apt_cache/archives:/apt-archives:ro"
            -v "$debs:/debs:ro")

# Each run names its containers and labels the login containers with its own
# id, so clean-up never touches another run's containers on the shared engine.
run_id=csh-pkgtest-$$-$RANDOM
cleanup_containers() {
  local ids
  ids=$( { docker ps -aq --filter "name=^$run_id-"; docker ps -aq --filter "label=io.containerssh.test-run=$run_id"; } | sort -u)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The one package file of NAME in the debs directory.
deb_of() {
  local f
  f=$(find "$debs" -maxdepth 1 -name "$1_*.deb" | sort | tail -n 1)
  [ -n "$f" ] || fail "no $1_*.deb in $debs (the packaging_debs fixture did not run)"
  echo "$f"
}

# write_users FILE PASSWORD GUEST_IMAGE: the example server's users file with
# the one test user, whose logins run in GUEST_IMAGE (already in the engine:
# never pulled) with a label naming this run, for clean-up.
write_users() {
  cat >"$1" <<YAML
users:
  tester:
    password: "$(openssl passwd -6 "$2")"
    image: "$3"
    config:
      docker:
        execution:
          imagePullPolicy: Never
          container:
            labels:
              io.containerssh.test-run: "$run_id"
YAML
  chmod 0644 "$1"
}
