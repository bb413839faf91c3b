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
