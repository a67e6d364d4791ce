# Sourced by the benchmarks, from the repository's top: installs what they need and sets
# $maint to the binary they time: $MAINT_BIN when given (another build, for before and after),
# else a release build of this checkout.
deploy/install-deps.sh
if [ -n "${MAINT_BIN:-}" ]; then
  maint=$MAINT_BIN
else
  swift build -c release --product maint >/dev/null
  maint="$(swift build -c release --product maint --show-bin-path)/maint"
fi
