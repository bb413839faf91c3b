#!/usr/bin/env python3
"""The ABI headers' fingerprint, and the check that it is recorded.

The fingerprint is a SHA-256 of the C headers' tokens: comments are removed
and runs of white space become one space, so that documentation can be
improved without a version decision while any change a compiler would see
(a field, a slot, a constant, an id) changes the fingerprint.

    abi_hash.py HEADER_DIR                 prints the fingerprint
    abi_hash.py HEADER_DIR HISTORY_MD      checks that the history table of
                                           HISTORY_MD has a row for the
                                           headers' CSH_ABI_MINOR with this
                                           fingerprint (exit 1 if not)
"""
import hashlib
import pathlib
import re
import sys

COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def fingerprint(header_dir: pathlib.Path) -> str:
    digest = hashlib.sha256()
    headers = sorted(header_dir.glob("containerssh/plugin/*.h")) + [header_dir / "containerssh/plugin.h"]
    for header in headers:
        tokens = " ".join(COMMENTS.sub(" ", header.read_text()).split())
        digest.update(header.name.encode() + b"\0" + tokens.encode() + b"\0")
    return digest.hexdigest()


def abi_version(header_dir: pathlib.Path) -> str:
    common = (header_dir / "containerssh/plugin/common.h").read_text()
    major = re.search(r"#define CSH_ABI_MAJOR (\d+)u", common).group(1)
    minor = re.search(r"#define CSH_ABI_MINOR (\d+)u", common).group(1)
    return f"{major}.{minor}"


def main() -> int:
    header_dir = pathlib.Path(sys.argv[1])
    value = fingerprint(header_dir)
    if len(sys.argv) == 2:
        print(value)
        return 0
    history = pathlib.Path(sys.argv[2]).read_text()
    version = abi_version(header_dir)
    row = re.search(r"^\| " + re.escape(version) + r" \|.*$", history, re.M)
    if row and f"`{value[:16]}`" in row.group(0):
        print(f"ABI {version}: headers match the recorded fingerprint {value[:16]}")
        return 0
    print(f"The plugin ABI headers changed, but {sys.argv[2]} has no history row for "
          f"ABI {version} with their fingerprint `{value[:16]}`.\n"
          "A change the compiler sees is an ABI decision: bump CSH_ABI_MINOR (additions at the end "
          "of a struct only) and add a row '| 1.N | `<fingerprint>` | what was added |' to the "
          "version history, or undo the change.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
