#!/usr/bin/env bash
# Owns installing npm dependencies from the lockfile. `npm ci` first; when the registry lacks an optional
# platform package the lockfile names (seen: @msgpackr-extract/*-darwin-* 3.0.7), `npm install` resolves it.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-fund --no-audit 2>/dev/null || {
  echo "[deps] npm ci refused the lockfile; falling back to npm install" >&2
  npm install --no-fund --no-audit
}
