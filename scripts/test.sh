#!/usr/bin/env bash
# Owns the one test command (`npm test`): dependencies, services, every vitest project, one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-services.sh && bash scripts/ensure-browser.sh
set -a; . .legwork/services.env; set +a
mkdir -p .legwork
status=0
echo "[test] type-checking"
npx tsc --noEmit -p . || { echo "vitest: 0 passed, 1 failed (type errors)"; exit 1; }
npx vitest run --reporter=default --reporter=json --outputFile.json=.legwork/test-results.json "$@" || status=$?
node -e '
  const r = require("./.legwork/test-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
