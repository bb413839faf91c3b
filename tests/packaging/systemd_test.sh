#!/usr/bin/env bash
# systemd_test.sh BUILD_DIR GUEST_IMAGE: the packaged unit under a real
# systemd. A clean Debian 12 container installs the package and systemd
# (offline, from prepare.sh's cache) and then becomes systemd (PID 1); the
# postinst has enabled the unit, so systemd starts it at boot, with the whole
# sandbox (seccomp filter, no capabilities, private mounts, ...). Checked:
# the service runs as containerssh with that sandbox, a login through it with
# OpenSSH returns a program's exact output and exit status (so the sandbox
# still reaches the engine's socket and the webhook), a reinstall restarts it
# and keeps the host key, `systemctl stop` removes the login's container, and
# a purge stops it and deletes its state.
#
# systemd needs CAP_SYS_ADMIN in the container (for the unit's namespaces)
# and, on a cgroup v1 host, the host's cgroup hierarchies read-only; the
# container has no network (--network none).
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
guest_image=$2
deb=$(deb_of containerssh)
name=$run_id-systemd

password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
tmp=$(mktemp -d)
trap 'cleanup_containers; rm -rf "$tmp"' EXIT
write_users "$tmp/users.yaml" "$password" "$guest_image"
chmod 0755 "$tmp"

in_box() { docker exec "$name" "$@"; }
journal() { in_box journalctl --no-pager -o cat -u containerssh 2>&1 | tail -n 40; }

# On a host with cgroup v1 (a tmpfs of hierarchies, as here) the engine gives
# the container no name=systemd hierarchy, and systemd ends at once; the
# host's, read-only, is enough for it. With cgroup v2 the container's own
# cgroup namespace is.
cgroup_mount=()
[ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] && cgroup_mount=(-v /sys/fs/cgroup:/sys/fs/cgroup:ro)

echo "-- install, then boot systemd"
docker run -d --name "$name" --network none --cap-add SYS_ADMIN "${cgroup_mount[@]}" --tmpfs /run --tmpfs /run/lock \
  "${apt_mounts[@]}" -v "$engine_socket:/var/run/docker.sock" \
  -v "$source_dir/tests/packaging:/test:ro" -v "$tmp/users.yaml:/users.yaml:ro" \
  "$base_image" bash -euc '
    cp /apt-archives/*.deb /var/cache/apt/archives/
    groupadd --gid "$1" docker
    DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends -o APT::Sandbox::User=root \
      install "$2" systemd >/tmp/apt.log 2>&1
    exec /lib/systemd/systemd' boot "$engine_socket_gid" "/debs/$(basename "$deb")" >/dev/null \
  || fail "docker run"
state=""
for _ in $(seq 1 600); do
  state=$(in_box systemctl is-system-running 2>/dev/null) || true
  case "$state" in running|degraded) break ;; esac
  [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || { docker logs "$name" 2>&1 | tail -n 20; fail "the container ended"; }
  sleep 0.2
done
case "$state" in running|degraded) ;; *) in_box cat /tmp/apt.log || true; fail "systemd did not come up ($state)" ;; esac
echo "   system: $state; unit: $(in_box systemctl is-enabled containerssh), $(in_box systemctl is-active containerssh || true)"
[ "$(in_box systemctl is-enabled containerssh)" = enabled ] || fail "the postinst did not enable the unit"
for _ in $(seq 1 300); do
  journal | grep -q '"SSH_AVAILABLE"' && break
  sleep 0.2
done
journal | grep -q '"SSH_AVAILABLE"' || { journal; fail "the service did not start"; }

echo "-- the service's sandbox"
pid=$(in_box systemctl show -p MainPID --value containerssh)
status=$(in_box cat "/proc/$pid/status")
echo "$status" | grep -E '^(Uid|Groups|CapEff|CapBnd|NoNewPrivs|Seccomp):' | sed 's/^/   /'
[ "$(in_box stat -c %U "/proc/$pid")" = containerssh ] || fail "not running as containerssh"
echo "$status" | grep -qE '^CapEff:\s+0+$' || fail "it has capabilities"
echo "$status" | grep -qE '^NoNewPrivs:\s+1$' || fail "NoNewPrivileges is not in force"
echo "$status" | grep -qE '^Seccomp:\s+2$' || fail "no system call filter"
echo "$status" | grep -qE "^Groups:.*\b$engine_socket_gid\b" || fail "the docker group is not among its groups"

echo "-- login through the service"
docker exec -d "$name" sh -c 'containerssh-auth-config-server --users /users.yaml >/tmp/auth.log 2>&1'
in_box sh -c 'echo "[127.0.0.1]:2222 $(cut -d" " -f1,2 /var/lib/containerssh/ssh_host_ed25519_key.pub)" >/tmp/known_hosts'
if ! docker exec -e TEST_PASSWORD="$password" "$name" /test/login.sh /tmp/known_hosts under-systemd 9; then
  journal
  in_box cat /tmp/auth.log || true
  fail "the login did not return the program's output and exit status"
fi

echo "-- reinstall: restarted, same host key"
key=$(in_box ssh-keygen -l -f /var/lib/containerssh/ssh_host_ed25519_key.pub)
in_box dpkg -i "/debs/$(basename "$deb")" >/dev/null || fail "dpkg -i"
pid2=$(in_box systemctl show -p MainPID --value containerssh)
[ "$pid2" != "$pid" ] && [ "$pid2" != 0 ] || fail "the upgrade did not restart the service ($pid -> $pid2)"
[ "$(in_box ssh-keygen -l -f /var/lib/containerssh/ssh_host_ed25519_key.pub)" = "$key" ] || fail "the host key changed"

echo "-- systemctl stop; purge"
in_box systemctl stop containerssh
left=$(docker ps -aq --filter "label=io.containerssh.test-run=$run_id")
[ -z "$left" ] || fail "the login's containers outlived the service: $left"
in_box systemctl start containerssh
in_box apt-get -q -y purge containerssh >/dev/null 2>&1 || fail "purge"
[ "$(in_box systemctl is-active containerssh || true)" != active ] || fail "purge left the service running"
in_box test ! -e /var/lib/containerssh || fail "purge left /var/lib/containerssh"
echo "PASS: the unit under systemd"
