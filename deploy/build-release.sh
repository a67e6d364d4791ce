#!/usr/bin/env bash
# Builds maint as it is shipped, and prints the binary's path on the last line: release mode; the
# Swift runtime and Foundation linked in (--static-swift-stdlib: only Debian's libraries are
# needed, and Foundation's symbols are resolved once, when linking, not at every start); the
# remaining imports bound at start (-z now); the relative relocations packed (-z
# pack-relative-relocs, by lld: see Package.swift; glibc 2.36 applies them), 33 KB where they
# took 1.8 MB that the loader read, and kept resident, at every start. The package, the
# installer and the benchmarks all use this one build.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release --product maint --static-swift-stdlib -Xlinker -z -Xlinker now -Xlinker -z -Xlinker pack-relative-relocs)
swift build "${flags[@]}" >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/maint"
