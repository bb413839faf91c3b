#!/usr/bin/env bash
# image_test.sh BUILD_DIR GUEST_IMAGE: the gateway image (packaging/image),
# built in the test engine from the package and the Debian base of
# scripts/debian-rootfs (nothing pulled), then run as a user would: as its
# non-root user, the engine's socket mounted (with its group added), the
# packaged configuration and a host key made beforehand mounted read-only.
# A second container joins its network namespace and runs the example
# auth/config server (from the same image) and the OpenSSH client; the login
# must return a program's exact output and exit status, and the client must
# see the mounted host key.
#
# The gateway container has no network but its own loopback (--network none),
# so the configuration's fixed ports meet nothing else on this machine.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
guest_image=$2
image=containerssh-test/gateway:latest
trap 'cleanup_containers; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)

deb=$(deb_of containerssh)
"$source_dir/packaging/image/build" "$deb" "$image" "$base_image" >/dev/null || fail "image build"
echo "-- image $image built from $(basename "$deb")"

uid=$(docker run --rm --entrypoint id "$image" -u)
user=$(docker image inspect -f '{{.Config.User}}' "$image")
echo "   runs as $user (uid $uid)"
[ "$uid" != 0 ] || fail "the image runs as root"

# Configuration: the one the package installs. Host key: made here, owned by
# the image's user, mounted read-only (the image must use it, not make one).
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/test"
dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./etc/containerssh/config.yaml >"$tmp/etc/config.yaml"
ssh-keygen -q -t ed25519 -N '' -C image-test -f "$tmp/state/ssh_host_ed25519_key"
chown -R "$uid:$uid" "$tmp/state"
chmod 0755 "$tmp/etc" && chmod 0644 "$tmp/etc/config.yaml"
chmod 0700 "$tmp/state"

password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
write_users "$tmp/test/users.yaml" "$password" "$guest_image"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$tmp/state/ssh_host_ed25519_key.pub")" >"$tmp/test/known_hosts"
cp "$source_dir/tests/packaging/login.sh" "$tmp/test/"
chmod 0644 "$tmp/test/known_hosts"
chmod 0755 "$tmp" "$tmp/test"

echo "-- gateway container"
docker run -d --name "$run_id-gateway" --network none --group-add "$engine_socket_gid" \
  -v "$engine_socket:/var/run/docker.sock" \
  -v "$tmp/etc:/etc/containerssh:ro" -v "$tmp/state:/var/lib/containerssh:ro" \
  "$image" >/dev/null || fail "docker run"
gateway_log() { docker logs "$run_id-gateway" 2>&1; }
for _ in $(seq 1 300); do  # up to 60 s: a loaded machine starts slowly
  gateway_log | grep -q '"SSH_AVAILABLE"' && break
  [ "$(docker inspect -f '{{.State.Running}}' "$run_id-gateway")" = true ] || { gateway_log; fail "the gateway exited"; }
  sleep 0.2
done
gateway_log | grep -q '"SSH_AVAILABLE"' || { gateway_log; fail "no SSH_AVAILABLE"; }
docker exec "$run_id-gateway" containerssh --list-plugins | grep -c '/usr/lib/containerssh/plugins/' \
  | grep -qx 6 || fail "the image's gateway does not list the 6 shipped plugins"
[ "$(docker exec "$run_id-gateway" id -u)" = "$uid" ] || fail "the gateway does not run as $uid"

echo "-- login from a container in the gateway's network namespace"
docker run --rm --name "$run_id-client" --network "container:$run_id-gateway" --user 65534:65534 \
  -v "$tmp/test:/test:ro" -e TEST_PASSWORD="$password" --entrypoint /bin/bash "$image" -c '
    containerssh-auth-config-server --users /test/users.yaml --listen 127.0.0.1:8080 >/tmp/auth.log 2>&1 &
    for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break; sleep 0.1; done
    /test/login.sh /test/known_hosts from-the-image 5 || { cat /tmp/auth.log; exit 1; }' \
  || { gateway_log; fail "the login did not return the program's output and exit status"; }

echo "-- docker stop: the gateway ends on SIGTERM and removes the login's container"
docker stop -t 30 "$run_id-gateway" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$run_id-gateway")
[ "$code" = 0 ] || { gateway_log; fail "the gateway exited with $code"; }
left=$(docker ps -aq --filter "label=io.containerssh.test-run=$run_id")
[ -z "$left" ] || fail "containers of the login were left behind: $left"
echo "PASS: gateway image"
