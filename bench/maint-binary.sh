# Sourced by the benchmarks, from the repository's top: installs what they need and sets
# $maint to the binary they time: $MAINT_BIN when given (another build, for before and after),
# else this checkout built as it is shipped (deploy/build-release.sh).
deploy/install-deps.sh
if [ -n "${MAINT_BIN:-}" ]; then
  maint=$MAINT_BIN
else
  maint=$(deploy/build-release.sh 2>/dev/null | tail -1)
fi
