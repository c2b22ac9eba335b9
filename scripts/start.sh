#!/usr/bin/env bash
# Owns `npm start`: installs dependencies if needed, makes Redis and PostgreSQL reachable, then runs Legwork in paper mode.
# Today Legwork's runnable part is the local Tastytrade venue; the pipeline processes join here as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-services.sh
set -a; . .legwork/services.env; set +a
exec npx tsx src/broker/sim/main.ts
