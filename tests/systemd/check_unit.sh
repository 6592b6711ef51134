#!/bin/sh
# Checks the generated unit as systemd would read it: `systemd-analyze verify` must print nothing
# (it exits 0 on many problems, so stderr is what counts), and the offline security review must
# rate its exposure 1.5 or lower.
#   check_unit.sh UNIT BINARY   (BINARY: the built sluice, put where the unit names the installed one)
set -eu
unit=$1
binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
installed=$(sed -n 's|^ExecStart=\([^ ]*\) run .*|\1|p' "$unit")
sed "s|$installed|$binary|g" "$unit" > "$work/sluice.service"
systemd-analyze verify --man=no "$work/sluice.service" > "$work/verify.out" 2>&1 || true
if [ -s "$work/verify.out" ]; then
  echo "systemd-analyze verify complains:" >&2
  cat "$work/verify.out" >&2
  exit 1
fi
if ! systemd-analyze security --offline=yes --threshold=15 "$work/sluice.service" > "$work/security.out" 2>&1; then
  tail -3 "$work/security.out" >&2
  echo "exposure above 1.5" >&2
  exit 1
fi
tail -1 "$work/security.out"
