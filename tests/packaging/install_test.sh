#!/usr/bin/env bash
# install_test.sh BUILD_DIR GUEST_IMAGE: the containerssh package on a clean
# Debian 12 (the image of scripts/debian-rootfs, run in the test engine):
#   1. apt-get resolves and installs its dependencies;
#   2. the unit's command lines (ExecStartPre, ExecStart, read from the
#      installed unit) run as the unit's user with the packaged configuration,
#      and a login with the OpenSSH client returns a program's exact output and
#      exit status, from a container of the engine (GUEST_IMAGE, named by the
#      example auth/config server for the test user);
#   3. systemd-analyze verifies the unit and its security score is the one
#      docs/install.md states;
#   4. reinstall, remove and purge do what the maintainer scripts promise.
#
# The container has no network (--network none): apt installs from the
# downloads prepare.sh cached, and the packaged configuration's fixed ports
# (2222, 8080, 7000, 9100) meet nothing else on this machine.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
guest_image=$2
deb=$(deb_of containerssh)

password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
tmp=$(mktemp -d)
trap 'cleanup_containers; rm -rf "$tmp"' EXIT
write_users "$tmp/users.yaml" "$password" "$guest_image"
chmod 0755 "$tmp"

docker run --rm --name "$run_id-install" --network none "${apt_mounts[@]}" \
  -v "$engine_socket:/var/run/docker.sock" \
  -v "$source_dir/tests/packaging:/test:ro" -v "$tmp/users.yaml:/users.yaml:ro" \
  -e DEB="/debs/$(basename "$deb")" -e SOCKET_GID="$engine_socket_gid" -e TEST_PASSWORD="$password" \
  "$base_image" bash /test/install_steps.sh | tee "$work/install_test.out" || fail "steps in the Debian container (above)"

# 3. The score systemd-analyze gave is the one the documentation states.
score=$(sed -n "s/.*Overall exposure level for containerssh.service: \([0-9.]*\).*/\1/p" "$work/install_test.out")
[ -n "$score" ] || fail "no systemd-analyze security score in the output"
documented=$(sed -n 's/.*`systemd-analyze security` score: \*\*\([0-9.]*\)\*\*.*/\1/p' "$source_dir/docs/install.md" | head -n 1)
[ "$score" = "$documented" ] || fail "systemd-analyze security scores the unit $score, docs/install.md says ${documented:-nothing}"

# The gateway removed the login's container when it stopped.
left=$(docker ps -aq --filter "label=io.containerssh.test-run=$run_id")
[ -z "$left" ] || fail "containers of the login were left behind: $left"
echo "PASS: package install (exposure score $score)"
