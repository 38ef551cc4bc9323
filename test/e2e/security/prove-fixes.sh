#!/usr/bin/env bash
# Proves each security fix (issue 11): every test whose name contains "attack:" (files *.attack.test.ts)
# passes on this tree and FAILS on the code before the hardening. The old code is checked out into a temp
# dir, this tree's test/ folder is laid over it, and the same attack files run there. A test that passes on
# the old code proves nothing (it cannot fail), so the script exits 1 naming it; so does an attack file
# that does not even load on the old code (its tests must fail by behaviour, not by a missing import).
#
#   test/e2e/security/prove-fixes.sh [BASE]     BASE defaults to the last commit before the hardening.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
base="${1:-${PROVE_BASE:-98072f1}}"
bun="$root/node_modules/.bin/bun"
mapfile -t files < <(find test -name '*.attack.test.ts' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no *.attack.test.ts files"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # dir → bun test output of the attack files (never aborts on failures)
  (cd "$1" && "$bun" test --timeout 30000 "${files[@]/#/./}" 2>&1) || true
}

echo "== attack tests on this tree ($(git rev-parse --short HEAD))"
run "$root" > "$work/new.log"
grep -E '^\((pass|fail)\).*attack:' "$work/new.log" | sed -E 's/ \[[0-9.]+m?s\]$//' | sort > "$work/new.txt" || true
if grep -q '^(fail)' "$work/new.txt"; then
  echo "attack tests failing on this tree:"; grep '^(fail)' "$work/new.txt"; exit 1
fi
total=$(wc -l < "$work/new.txt")
[ "$total" -gt 0 ] || { echo "no attack: tests ran"; tail -20 "$work/new.log"; exit 1; }

echo "== the same tests on $base (before the fixes)"
git archive "$base" | tar -x -C "$work" --one-top-level=old
rm -rf "$work/old/test" && cp -r test "$work/old/test"
ln -s "$root/node_modules" "$work/old/node_modules"
run "$work/old" > "$work/old.log"
grep -E '^\((pass|fail)\).*attack:' "$work/old.log" | sed -E 's/ \[[0-9.]+m?s\]$//' | sort > "$work/old.txt" || true

proven=0; unproven=0
while IFS= read -r line; do
  name="${line#(pass) }"
  if grep -qxF "(fail) $name" "$work/old.txt"; then
    proven=$((proven + 1))
  elif grep -qxF "(pass) $name" "$work/old.txt"; then
    echo "NOT PROVEN (passes on the old code): $name"; unproven=$((unproven + 1))
  else
    echo "NOT PROVEN (did not run on the old code: its file failed to load?): $name"; unproven=$((unproven + 1))
  fi
done < "$work/new.txt"
echo "$proven of $total attack tests fail on $base and pass now"
[ "$unproven" -eq 0 ]
