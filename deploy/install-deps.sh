#!/usr/bin/env bash
# Installs the Debian packages maint builds and tests with. Safe to run again.
set -euo pipefail
packages=(libsqlite3-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev prometheus systemd jq pkg-config python3 python3-dateutil python3-aiosmtpd openssl nginx-light haproxy prometheus-alertmanager curl ca-certificates php-cli)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
