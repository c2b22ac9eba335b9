#!/usr/bin/env bash
# Owns `npm start`: installs dependencies if needed, makes Redis and PostgreSQL reachable, then runs Legwork in paper
# mode (the local venue, every worker and scheduler) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --if-stale
bash scripts/ensure-services.sh
set -a; . .legwork/services.env; set +a
exec node bin/legwork.mjs start
