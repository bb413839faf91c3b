#!/usr/bin/env bash
# prepare.sh BUILD_DIR: the packaging_debs fixture. Builds the Debian packages
# of the build tree with CPack into BUILD_DIR/packaging-test/debs and makes
# sure the clean Debian 12 base image is in the engine (scripts/debian-rootfs,
# cached). ctest does not build: the targets must be built already.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

rm -rf "$debs"
mkdir -p "$debs"
(cd "$build_dir" && cpack -G DEB -B "$debs") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; fail "cpack"; }
rm -rf "$debs/_CPack_Packages"
for deb in "$debs"/*.deb; do
  echo "== $(basename "$deb")"
  dpkg-deb --field "$deb" Package Version Depends
  dpkg-deb --contents "$deb" | awk '{ print $1, $6 }'
done

"$source_dir/scripts/debian-rootfs" "$build_dir/debian-rootfs" "$base_image" >/dev/null
echo "base image: $base_image"

# What the tests install, downloaded by apt from the packages' dependencies
# (and systemd, for systemd-analyze and for running the unit) on the clean
# base. The lists are fetched again once a day; downloads stay, so a second
# run fetches nothing.
deb=$(deb_of containerssh)
wanted=("/debs/$(basename "$deb")")
dev=$(find "$debs" -maxdepth 1 -name 'containerssh-dev_*.deb' | head -n 1)
[ -z "$dev" ] || wanted+=("/debs/$(basename "$dev")")
mkdir -p "$apt_cache/lists" "$apt_cache/archives"
docker run --rm --name "$run_id-fetch" --network host \
  -v "$apt_cache/lists:/var/lib/apt/lists" -v "$apt_cache/archives:/var/cache/apt/archives" -v "$debs:/debs:ro" \
  "$base_image" bash -euc '
  export DEBIAN_FRONTEND=noninteractive
  apt="apt-get -q -o APT::Sandbox::User=root"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name "*Packages*" -mmin -1440 | head -n 1)" ]; then
    $apt update >/dev/null
  fi
  $apt install --download-only -y --no-install-recommends "$@" systemd >/dev/null
' fetch "${wanted[@]}" || fail "apt could not download the dependencies"
echo "apt cache: $(find "$apt_cache/archives" -name '*.deb' | wc -l) packages"
