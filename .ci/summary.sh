# Sourced by .ci/run: turns each step's exit status and log into one closing `N passed, N failed`
# line. Kept apart so test/ci/ci-summary.spec.ts can feed it logs without running CI.
#
# The rule throughout: a step that exits non-zero is never reported as all-green. When its log
# names no failure (a crash, an `npm ci` that failed before jest started), it counts as one.

CI_PASSED=0
CI_FAILED=0

# ANSI colour codes, in case FORCE_COLOR made jest colour a piped log.
_ci_plain() { sed -E 's/\x1b\[[0-9;]*m//g' "$1" 2>/dev/null || true; }

# ci_count_jest STATUS LOG — jest's `Tests:` line, plus one failure per suite that failed to run:
# a suite that does not compile, or throws at import, reports no tests at all, so jest's `Tests:`
# line alone would call a run with a broken suite green. Suites are counted by path, once each:
# past 20 suites jest re-prints every failure under "Summary of all failing tests".
ci_count_jest() {
  local status=$1 plain line passed failed broken
  plain="$(_ci_plain "$2")"
  line="$(grep -E '^Tests:' <<<"$plain" | tail -1 || true)"
  passed=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")
  failed=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  broken=$(awk '/^ *(PASS|FAIL) / { suite = $2 }
    /● Test suite failed to run/ && suite != "" { seen[suite] = 1 }
    END { n = 0; for (s in seen) n++; print n }' <<<"$plain")
  failed=$((${failed:-0} + broken))
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  # No `Tests:` line with exit status 0: jest ended before its summary, as when code under test
  # calls the real process.exit(0) (jest reports it, then exits 0 with suites still to run).
  if [ -z "$line" ] && [ "$failed" -eq 0 ]; then failed=1; fi
  CI_PASSED=$((CI_PASSED + ${passed:-0}))
  CI_FAILED=$((CI_FAILED + failed))
}

# ci_count_lines STATUS LOG — a step that closes with its own `N passed, N failed` line
# (the container smoke test).
ci_count_lines() {
  local status=$1 line passed failed
  line="$(_ci_plain "$2" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1 || true)"
  passed=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$line")
  failed=$(sed -nE 's/.* ([0-9]+) failed$/\1/p' <<<"$line")
  failed=${failed:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  CI_PASSED=$((CI_PASSED + ${passed:-0}))
  CI_FAILED=$((CI_FAILED + failed))
}

# ci_count_step STATUS — a step that is one check (lint, typecheck).
ci_count_step() {
  if [ "$1" -eq 0 ]; then CI_PASSED=$((CI_PASSED + 1)); else CI_FAILED=$((CI_FAILED + 1)); fi
}

# ci_finish — the closing line; returns non-zero when anything failed.
ci_finish() {
  printf '\n%d passed, %d failed\n' "$CI_PASSED" "$CI_FAILED"
  [ "$CI_FAILED" -eq 0 ]
}
