#!/usr/bin/env bash
# Installs the end-to-end test's npm packages (playwright-core and axe-core, pinned by package-lock.json) into
# web/e2e/node_modules. Idempotent: runs `npm ci` only when node_modules is missing or package-lock.json changed
# since the last install (a stamp file holds the lock file's hash). playwright-core downloads no browser: the test
# drives Debian's Chromium (`apt-get install chromium`, /usr/bin/chromium). Needs node >= 20.
set -euo pipefail
DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
STAMP="$DIR/node_modules/.skillvl-install-stamp"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "web/e2e: node and npm are needed (node >= 20)" >&2
  exit 1
fi

want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
if [ -d "$DIR/node_modules/playwright-core" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

printf '==> %s\n' "installing the web UI end-to-end test's packages (npm ci in web/e2e/)" >&2
(cd "$DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$STAMP"
