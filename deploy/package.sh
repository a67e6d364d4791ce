#!/usr/bin/env bash
# Builds the Debian package maint_VERSION_ARCH.deb with dpkg-deb; its path is the last line of
# the output. The Swift runtime and Foundation are linked in (--static-swift-stdlib), so the
# package depends only on Debian's libraries (found by dpkg-shlibdeps).
#   deploy/package.sh [OUTPUT_DIRECTORY]   (default: .build/package)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-.build/package}")
deploy/install-deps.sh
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
for tool in dpkg-shlibdeps:dpkg-dev fakeroot:fakeroot; do
  command -v "${tool%%:*}" >/dev/null || { $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${tool##*:}" >/dev/null; }
done

binary=$(deploy/build-release.sh | tail -1)
version=$("$binary" --version | awk '{ print $2 }')
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/maint"
install -d -m 0755 "$root/DEBIAN" "$doc" "$root/usr/share/man/man1" "$root/usr/share/man/man5"
install -D -m 0755 "$binary" "$root/usr/bin/maint"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/maint"
install -D -m 0644 deploy/maint.service "$root/lib/systemd/system/maint.service"
install -D -m 0644 deploy/etc-maint.json5 "$root/etc/maint/maint.json5"
# The manual and the completions come from the program's own table of commands and options.
"$binary" help --man | gzip -9n > "$root/usr/share/man/man1/maint.1.gz"
gzip -9n < deploy/man/maint.json5.5 > "$root/usr/share/man/man5/maint.json5.5.gz"
"$binary" completion bash | install -D -m 0644 /dev/stdin "$root/usr/share/bash-completion/completions/maint"
"$binary" completion zsh | install -D -m 0644 /dev/stdin "$root/usr/share/zsh/vendor-completions/_maint"
"$binary" completion fish | install -D -m 0644 /dev/stdin "$root/usr/share/fish/vendor_completions.d/maint.fish"
gzip -9n < README.md > "$doc/README.md.gz"
cp deploy/debian/copyright "$doc/copyright"
# A native package's changelog: this version, dated by the last commit (reproducible).
date=$(git log -1 --format=%cD 2>/dev/null || date -R)
printf 'maint (%s) unstable; urgency=medium\n\n  * Release %s. The changes are in the README and the repository history.\n\n -- maint maintainers <maint@example.com>  %s\n' \
  "$version" "$version" "$date" | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc"/* "$root"/usr/share/man/man*/*
find "$root" -type d -exec chmod 0755 {} +

# Depends: what the binary links to, as dpkg-shlibdeps finds it in Debian's packages.
mkdir -p "$stage/debian"
printf 'Source: maint\n\nPackage: maint\nArchitecture: any\n' > "$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O "root/usr/bin/maint" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
    -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" deploy/debian/control > "$root/DEBIAN/control"
echo /etc/maint/maint.json5 > "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "deploy/debian/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
package="$out/maint_${version}_${arch}.deb"
fakeroot dpkg-deb --build -Zxz "$root" "$package" >&2
echo "$package"
