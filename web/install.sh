#!/usr/bin/env bash
# Installs the web UI's npm packages (pinned by package-lock.json) into web/node_modules. Idempotent: runs
# `npm ci` only when node_modules is missing or package-lock.json changed since the last install (a stamp file
# holds the lock file's hash). Called from scripts/bootstrap.sh (through web/build.sh); needs node >= 20.19
# and npm >= 11 (Vite 8).
set -euo pipefail
DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
STAMP="$DIR/node_modules/.skillvl-install-stamp"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "web: node and npm are needed (node >= 20.19, npm >= 11)" >&2
  exit 1
fi

want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
if [ -d "$DIR/node_modules/vite" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

printf '==> %s\n' "installing the web UI's packages (npm ci in web/)" >&2
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$STAMP"
