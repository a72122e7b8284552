#!/usr/bin/env bash
# Builds the web UI into web/dist (type check + Vite production build), after web/install.sh. Skipped when
# nothing it is built from changed since the last build: a stamp in dist/ holds a hash of the sources, the
# configuration and the lock file. `web/build.sh --force` builds anyway. Called from scripts/bootstrap.sh.
set -euo pipefail
DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
STAMP="$DIR/dist/.skillvl-build-stamp"

"$DIR/install.sh"

# Hash of every input of the build, in a stable order (file names and contents).
want=$(cd "$DIR" && find src index.html package.json package-lock.json tsconfig.json vite.config.ts precompress.mjs -type f \
  ! -name '*.test.ts' ! -name '*.test.tsx' ! -path 'src/model/fixtures/*' -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ "${1:-}" != "--force" ] && [ -f "$DIR/dist/index.html" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

printf '==> %s\n' "building the web UI (npm run build in web/)" >&2
(cd "$DIR" && npm run build --silent && node precompress.mjs dist)
echo "$want" >"$STAMP"
