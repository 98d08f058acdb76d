#!/usr/bin/env bash
# `make test`'s last step: the whole suite on SQLite and on PostgreSQL at the same time (the two runs share
# nothing: separate databases, var/ directories and live-server ports), so the machine's two cores both work.
# Each run's output goes to var/<target>.log and is printed, whole, when that run ends; the exit status is
# non-zero when either run failed. SUITES="test-sqlite" (or test-postgres) runs one of them only, whole.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
rm -f var/test-sqlite.status var/test-postgres.status
suites=(${SUITES:-test-sqlite test-postgres})
# Both runs at once: each browser journey and the access matrix run in one of them (tests/conftest.py).
[ ${#suites[@]} -eq 2 ] && export LANHMANH_TEST_SHARED=1
pids=()
for target in "${suites[@]}"; do
  (
    t0=$SECONDS
    make --no-print-directory -o install "$target" > "var/$target.log" 2>&1
    status=$?
    echo "$status $((SECONDS - t0))" > "var/$target.status"
  ) &
  pids+=($!)
done
failed=0
for i in "${!suites[@]}"; do
  wait "${pids[$i]}"
done
for target in "${suites[@]}"; do
  read -r status took < "var/$target.status"
  echo "======== $target: $([ "$status" -eq 0 ] && echo passed || echo FAILED) in ${took}s ($((took / 60))m$(printf %02d $((took % 60)))s) ========"
  cat "var/$target.log"
  [ "$status" -eq 0 ] || failed=1
done
exit $failed
