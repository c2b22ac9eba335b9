#!/usr/bin/env bash
# Makes Debian's chromium available for the headless dashboard test. Idempotent and quiet.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
out=$($SUDO apt-get update -qq 2>&1) || { echo "$out" >&2; exit 1; }
out=$($SUDO apt-get install -y -qq --no-install-recommends chromium 2>&1) || { echo "$out" >&2; exit 1; }
command -v chromium >/dev/null 2>&1 || { echo "[ensure-browser] chromium still missing" >&2; exit 1; }
