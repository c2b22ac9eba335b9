#!/usr/bin/env bash
# Owns installing npm dependencies from the lockfile. `npm ci` first; when the registry lacks an optional
# platform package the lockfile names (seen: @msgpackr-extract/*-darwin-* 3.0.7), `npm install` resolves it.
# With --if-stale it installs only when node_modules is missing or was installed from another package.json/lockfile
# (a pull that changed dependencies, or added a workspace package), so `npm start` and `npm test` stay current.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.legwork/deps.stamp
wanted="$(cat package.json package-lock.json packages/*/package.json 2>/dev/null | sha1sum | cut -d' ' -f1)"
if [ "${1:-}" = "--if-stale" ] && [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then exit 0; fi
[ "${1:-}" = "--if-stale" ] && [ -d node_modules ] && echo "[deps] package.json or the lockfile changed since the last install: installing" >&2
npm ci --no-fund --no-audit 2>/dev/null || {
  echo "[deps] npm ci refused the lockfile; falling back to npm install" >&2
  npm install --no-fund --no-audit
}
mkdir -p .legwork
echo "$wanted" > "$stamp"
