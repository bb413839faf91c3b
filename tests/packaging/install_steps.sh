#!/usr/bin/env bash
# Runs inside the clean Debian 12 container of install_test.sh (no network;
# apt's lists and the downloaded packages are mounted from the cache at
# /var/lib/apt/lists and /apt-archives, the
# engine's socket at /var/run/docker.sock, this directory at /test, the
# example server's users file at /users.yaml). Environment: DEB, SOCKET_GID,
# TEST_PASSWORD.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -q -y --no-install-recommends -o APT::Sandbox::User=root)
unit=/usr/lib/systemd/system/containerssh.service
step() { echo "-- $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cp /apt-archives/*.deb /var/cache/apt/archives/

# What docker.io does on a real machine: a docker group that may open the
# engine's socket (here: the mounted socket's group).
groupadd --gid "$SOCKET_GID" docker

step "apt-get install $DEB"
before=$(dpkg-query -W -f='${Package}\n' | wc -l)
"${apt[@]}" install "$DEB" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "apt-get install"; }
after=$(dpkg-query -W -f='${Package}\n' | wc -l)
grep -E '^(Setting up|Unpacking) ' /tmp/apt.log | sed 's/^/   /' | grep 'Setting up' | head -n 40
[ "$(dpkg-query -W -f='${Status}' containerssh)" = "install ok installed" ] || fail "containerssh not installed"
[ "$after" -gt $((before + 1)) ] || fail "no dependency was installed with the package"
echo "   $((after - before - 1)) dependencies installed"

step "layout, user, conffile"
test -x /usr/bin/containerssh && test -x /usr/bin/containerssh-agent \
  && test -x /usr/bin/containerssh-auth-config-server && test -x /usr/bin/containerssh-auditlog-decoder \
  || fail "a program is missing from /usr/bin"
plugins=$(containerssh --list-plugins)
echo "$plugins" | sed 's/^/   /'
for p in auth-http config-http backend-docker backend-kubernetes metrics audit-s3; do
  echo "$plugins" | grep -q "/usr/lib/containerssh/plugins/$p.so" || fail "plugin $p not found by the installed gateway"
done
id containerssh
id -nG containerssh | tr ' ' '\n' | grep -qx docker || fail "the user containerssh is not in the docker group"
[ "$(stat -c '%U %a' /var/lib/containerssh)" = "containerssh 700" ] || fail "/var/lib/containerssh: $(stat -c '%U %a' /var/lib/containerssh)"
dpkg-query -W -f='${Conffiles}\n' containerssh | grep -q '^ /etc/containerssh/config.yaml ' || fail "config.yaml is not a conffile"
[ ! -e /var/lib/containerssh/ssh_host_ed25519_key ] || fail "a host key exists before the first start"

step "reinstall (postinst again)"
"${apt[@]}" install --reinstall "$DEB" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "reinstall"; }
[ "$(getent passwd containerssh | wc -l)" -eq 1 ] || fail "user duplicated"
id -nG containerssh | tr ' ' '\n' | grep -qx docker || fail "reinstall lost the docker group"

step "the example auth and configuration server"
containerssh-auth-config-server --users /users.yaml --listen 127.0.0.1:8080 >/tmp/auth.log 2>&1 &
auth_pid=$!

step "the unit's command lines as its user"
value() { sed -n "s/^$1=//p" "$unit"; }
user=$(value User)
workdir=$(value WorkingDirectory)
pre=$(value ExecStartPre)
start=$(value ExecStart)
echo "   User=$user WorkingDirectory=$workdir"
echo "   ExecStartPre=$pre"
echo "   ExecStart=$start"
[ "$user" = containerssh ] && [ -n "$pre" ] && [ -n "$start" ] || fail "unexpected unit"
cd "$workdir"
# As systemd does: the user's groups from /etc/group (docker), no session
# wrapper between the signals and the gateway (runuser would be one).
as_user=(setpriv --reuid="$user" --regid="$user" --init-groups --reset-env --)
"${as_user[@]}" sh -c "$pre" || fail "ExecStartPre"
test -s /var/lib/containerssh/ssh_host_ed25519_key || fail "no host key after ExecStartPre"
[ "$(stat -c '%U %a' /var/lib/containerssh/ssh_host_ed25519_key)" = "containerssh 600" ] || fail "host key owner/mode"
keyfp=$(ssh-keygen -l -f /var/lib/containerssh/ssh_host_ed25519_key.pub)
"${as_user[@]}" sh -c "$pre" || fail "ExecStartPre again"
[ "$(ssh-keygen -l -f /var/lib/containerssh/ssh_host_ed25519_key.pub)" = "$keyfp" ] || fail "second start replaced the host key"
"${as_user[@]}" sh -c "exec $start" >/tmp/gateway.log 2>&1 &
gateway_pid=$!
for _ in $(seq 1 300); do
  grep -q '"SSH_AVAILABLE"' /tmp/gateway.log && break
  kill -0 "$gateway_pid" 2>/dev/null || { cat /tmp/gateway.log; fail "the gateway exited"; }
  sleep 0.2
done
grep -q '"SSH_AVAILABLE"' /tmp/gateway.log || { cat /tmp/gateway.log; fail "no SSH_AVAILABLE"; }
containerssh --config /etc/containerssh/config.yaml --healthcheck || { cat /tmp/gateway.log; fail "--healthcheck"; }

step "login with ssh"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 /var/lib/containerssh/ssh_host_ed25519_key.pub)" >/tmp/known_hosts
if ! /test/login.sh /tmp/known_hosts packaged-gateway 7; then
  echo "--- gateway log"; cat /tmp/gateway.log; echo "--- auth server log"; cat /tmp/auth.log
  fail "the login did not return the program's output and exit status"
fi

step "stop (SIGTERM): the login's container is removed"
kill -TERM "$gateway_pid"
wait "$gateway_pid" || { cat /tmp/gateway.log; fail "the gateway did not exit cleanly on SIGTERM"; }
grep -o '"code":"[A-Z_]*"' /tmp/gateway.log | sort | uniq -c | sed 's/^/   /'
kill "$auth_pid"; wait "$auth_pid" || true

dev=$(find /debs -maxdepth 1 -name 'containerssh-dev_*.deb' | head -n 1)
if [ -n "$dev" ]; then
  step "apt-get install $dev"
  "${apt[@]}" install "$dev" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "apt-get install containerssh-dev"; }
  for f in /usr/bin/containerssh-conformance /usr/include/containerssh/plugin/plugin.h \
           /usr/lib/cmake/ContainerSSH/ContainerSSHConfig.cmake; do
    test -e "$f" || fail "containerssh-dev lacks $f"
  done
  containerssh-conformance --help >/dev/null || fail "containerssh-conformance --help"
  echo "   $(dpkg-query -W -f='${Package} ${Version}' containerssh-dev): $(dpkg -L containerssh-dev | grep -c '^/usr/include/') header paths, conformance runner runs"
fi

step "systemd-analyze (systemd installed from the cache, not running)"
"${apt[@]}" install systemd >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "apt-get install systemd"; }
# --man=no: verify runs `man` for the unit's man: documentation, and a
# minimal Debian has no man-db (the page itself is in the package).
test -f /usr/share/man/man1/containerssh.1.gz || fail "the unit's man page is not installed"
systemd-analyze verify --man=no "$unit" || fail "systemd-analyze verify"
echo "   verify: ok"
systemd-analyze security --offline=true --no-pager "$unit" >/tmp/security.txt
# What is left open (the lines marked ✗), and the score.
grep -E '✗|Overall exposure' /tmp/security.txt

step "remove keeps the configuration and the host key"
"${apt[@]}" remove containerssh >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "remove"; }
test -f /etc/containerssh/config.yaml || fail "remove deleted the configuration"
test -f /var/lib/containerssh/ssh_host_ed25519_key || fail "remove deleted the host key"
step "reinstall after remove keeps the host key"
"${apt[@]}" install "$DEB" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "install after remove"; }
[ "$(ssh-keygen -l -f /var/lib/containerssh/ssh_host_ed25519_key.pub)" = "$keyfp" ] || fail "host key changed"
step "purge removes them, keeps the user"
"${apt[@]}" purge containerssh >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "purge"; }
[ ! -e /var/lib/containerssh ] || fail "purge left /var/lib/containerssh"
[ ! -e /etc/containerssh ] || fail "purge left /etc/containerssh: $(ls -A /etc/containerssh)"
getent passwd containerssh >/dev/null || fail "purge removed the system user"
echo "-- all steps passed"
