#!/usr/bin/env bash
# The Debian package, built and tried as an admin would: lintian, dpkg -i, the version, the
# manual pages, the shell completions (each shell completes a command and an option), the
# unit (systemd-analyze verify and security), and dpkg -r / -P keeping /var/lib/maint.
# Installs the package on this machine: run it on a test machine (CI), as root or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
need=()
for tool in lintian:lintian man:man-db zsh:zsh fish:fish; do command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}"); done
if [ ${#need[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
failed=0
check() {  # check DESCRIPTION COMMAND...
  local description=$1; shift
  if "$@"; then echo "ok: $description"; else echo "FAILED: $description"; failed=1; fi
}

package=$(deploy/package.sh | tail -n 1)
echo "package: $package ($(du -h "$package" | cut -f1))"
# Errors fail; the warnings and notes are printed for the record.
check "lintian reports no errors" lintian --fail-on error --info --tag-display-limit 0 "$package"

$sudo dpkg -i --path-include='/usr/share/man/*' "$package"
version=$(dpkg-deb -f "$package" Version)
check "maint --version is $version" test "$(maint --version)" = "maint $version"
check "maint help add shows every option" sh -c 'maint help add | grep -q -- "--notice LIST" && maint add --help | grep -q "^example:"'
check "man -w maint" man -w maint
check "man -w maint.json5" man -w 5 maint.json5
check "the manual renders without warnings" sh -c '! LC_ALL=C.UTF-8 MANROFFSEQ="" man --warnings -E UTF-8 -l /usr/share/man/man1/maint.1.gz 2>&1 >/dev/null | grep .'
check "the schedule manual renders without warnings" sh -c '! LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l /usr/share/man/man5/maint.json5.5.gz 2>&1 >/dev/null | grep .'
check "bash completes commands and options" bash -c '
  source /usr/share/bash-completion/completions/maint
  COMP_WORDS=(maint ex); COMP_CWORD=1; _maint; [[ " ${COMPREPLY[*]} " == *" extend "* && " ${COMPREPLY[*]} " == *" export "* ]] || exit 1
  COMP_WORDS=(maint add --no); COMP_CWORD=2; _maint; [ "${COMPREPLY[*]}" = "--notice" ] || exit 1
  COMP_WORDS=(maint preview w --event s); COMP_CWORD=4; _maint; [ "${COMPREPLY[*]}" = "scheduled start" ]'
check "zsh reads its completion" zsh -n /usr/share/zsh/vendor-completions/_maint
check "zsh completion defines _maint" zsh -c 'fpath=(/usr/share/zsh/vendor-completions $fpath); autoload -Uz compinit; compinit -u -D; autoload -Uz _maint; whence -w _maint | grep -q function'
check "fish completes commands and options" sh -c '
  fish -c "complete -C \"maint ext\"" | grep -q "^extend" &&
  fish -c "complete -C \"maint add --noti\"" | grep -q "^--notice" &&
  fish -c "complete -C \"maint preview w --event \"" | grep -q "^scheduled"'
check "the unit verifies" systemd-analyze verify /lib/systemd/system/maint.service
score=$(systemd-analyze security --offline=true /lib/systemd/system/maint.service 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "the unit's exposure ($score) is at most 2.0" awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
check "the example is a valid, empty schedule" sh -c 'maint validate /etc/maint | grep -q "0 target(s)"'
check "the example is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" maint | grep -q /etc/maint/maint.json5'

# The service's database survives removal and purge (a marker stands for it).
existed=false; [ -e /var/lib/maint ] && existed=true
$sudo mkdir -p /var/lib/maint
echo "kept" | $sudo tee /var/lib/maint/marker >/dev/null
$sudo dpkg -r maint >/dev/null
check "dpkg -r removes the binary" test ! -e /usr/bin/maint
check "dpkg -r keeps /var/lib/maint" test "$(cat /var/lib/maint/marker)" = kept
check "dpkg -r keeps the edited configuration" test -e /etc/maint/maint.json5
$sudo dpkg -P maint >/dev/null
check "dpkg -P keeps /var/lib/maint" test "$(cat /var/lib/maint/marker)" = kept
$sudo rm -f /var/lib/maint/marker
$existed || $sudo rmdir /var/lib/maint
exit $failed
