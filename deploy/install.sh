#!/usr/bin/env bash
# Installs maint from this checkout without a package: the binary in /usr/local/bin, the unit in
# /etc/systemd/system, the manual pages and completions under /usr/local/share, and the
# commented example /etc/maint/maint.json5 if /etc/maint has none. Run as root (or with sudo).
#   deploy/install.sh [PREFIX]   (default: /usr/local)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
deploy/install-deps.sh
binary=$(deploy/build-release.sh | tail -1)
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo install -D -m 0755 "$binary" "$prefix/bin/maint"
sed "s|ExecStart=/usr/bin/maint|ExecStart=$prefix/bin/maint|" deploy/maint.service | $sudo install -D -m 0644 /dev/stdin /etc/systemd/system/maint.service
"$binary" help --man | $sudo install -D -m 0644 /dev/stdin "$prefix/share/man/man1/maint.1"
$sudo install -D -m 0644 deploy/man/maint.json5.5 "$prefix/share/man/man5/maint.json5.5"
"$binary" completion bash | $sudo install -D -m 0644 /dev/stdin "$prefix/share/bash-completion/completions/maint"
"$binary" completion zsh | $sudo install -D -m 0644 /dev/stdin "$prefix/share/zsh/site-functions/_maint"
"$binary" completion fish | $sudo install -D -m 0644 /dev/stdin "$prefix/share/fish/vendor_completions.d/maint.fish"
if ! ls /etc/maint/*.json5 /etc/maint/*.json >/dev/null 2>&1; then
  $sudo install -D -m 0644 deploy/etc-maint.json5 /etc/maint/maint.json5
fi
if [ -d /run/systemd/system ]; then $sudo systemctl daemon-reload; fi
echo "installed $("$prefix/bin/maint" --version) in $prefix/bin; start it with: systemctl enable --now maint"
