#!/usr/bin/env bash
# Owns the one test command (`npm test`): dependencies, services, every vitest project, then (with no arguments) the
# short chaos set: LEGWORK_TEST_CHAOS_CAMPAIGNS campaigns (default 14: every fault kind, closes and halts; 0 skips) from seed LEGWORK_TEST_CHAOS_SEED, and the
# short soak: LEGWORK_TEST_SOAK_DAYS trading days (default 2, 0 skips) across a monthly expiration, a weekend and a holiday.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --if-stale
bash scripts/ensure-services.sh && bash scripts/ensure-browser.sh
set -a; . .legwork/services.env; set +a
mkdir -p .legwork
status=0
echo "[test] type-checking"
npx tsc --noEmit -p . || { echo "vitest: 0 passed, 1 failed (type errors)"; exit 1; }
echo "[test] import rules (dependency-cruiser) and lint/format (Biome)"
npx depcruise src workers bin packages --config .dependency-cruiser.cjs --output-type err || { echo "vitest: 0 passed, 1 failed (import rules)"; exit 1; }
npx biome check . --reporter=summary || { echo "vitest: 0 passed, 1 failed (biome check)"; exit 1; }
npx vitest run --reporter=default --reporter=json --outputFile.json=.legwork/test-results.json "$@" || status=$?
summary() {
  node -e '
    const r = require("./.legwork/test-results.json");
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' || true
}
summary
campaigns="${LEGWORK_TEST_CHAOS_CAMPAIGNS:-14}"
if [ "$#" -eq 0 ] && [ "$campaigns" != 0 ]; then
  echo "[test] chaos: $campaigns campaigns (npm run chaos -- --campaigns 500 for the long run)"
  npx tsx chaos/run.ts --campaigns "$campaigns" --seed "${LEGWORK_TEST_CHAOS_SEED:-20261122}" --trading-ms 9000 \
    --out .legwork/chaos-report.json >/dev/null || status=1
  summary
fi
soak_days="${LEGWORK_TEST_SOAK_DAYS:-2}"
if [ "$#" -eq 0 ] && [ "$soak_days" != 0 ]; then
  # Thursday 2027-01-14 and Friday's monthly expiration, then the weekend and Martin Luther King Day to Tuesday's open
  echo "[test] soak: $soak_days trading days from 2027-01-14 (npm run soak -- --days 20 for the long run)"
  npx tsx soak/run.ts --days "$soak_days" --start 2027-01-14 --out .legwork/soak-report.json >/dev/null || status=1
  summary
fi
exit $status
