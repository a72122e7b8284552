#!/usr/bin/env bash
# Builds the web UI into web/dist (type check + Vite production build), after web/install.sh. Skipped when
# nothing it is built from changed since the last build: a stamp in dist/ holds a hash of the sources, the
# configuration and the lock file. `web/build.sh --force` builds anyway. Called from scripts/bootstrap.sh.
# Then it copies spice-html5's ES modules (Debian's package spice-html5, LGPL-3.0; not on npm) into dist/spice-html5,
# where the SPICE console page loads them (ADR 0056).
set -euo pipefail
DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
STAMP="$DIR/dist/.skillvl-build-stamp"

"$DIR/install.sh"

# Hash of every input of the build, in a stable order (file names and contents).
want=$(cd "$DIR" && find src index.html package.json package-lock.json tsconfig.json vite.config.ts precompress.mjs -type f \
  ! -name '*.test.ts' ! -name '*.test.tsx' ! -path 'src/model/fixtures/*' -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
SPICE=/usr/share/spice-html5
if [ ! -f "$SPICE/main.js" ]; then
  echo "web: spice-html5 is missing ($SPICE): apt-get install spice-html5 (scripts/bootstrap.sh installs it)" >&2
  exit 1
fi

if [ "${1:-}" = "--force" ] || [ ! -f "$DIR/dist/index.html" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  printf '==> %s\n' "building the web UI (npm run build in web/)" >&2
  (cd "$DIR" && npm run build --silent && node precompress.mjs dist)
  echo "$want" >"$STAMP"
fi

# The library's modules and the four it imports from thirdparty/ (RSA for its link's ticket), with its copyright; not
# its demo pages or their module loader. Copied every time: cheap, and a package upgrade is picked up.
rm -rf "$DIR/dist/spice-html5"
mkdir -p "$DIR/dist/spice-html5/thirdparty"
cp "$SPICE"/*.js "$DIR/dist/spice-html5/"
cp "$SPICE"/thirdparty/{jsbn,prng4,rng,rsa,sha1}.js "$DIR/dist/spice-html5/thirdparty/"
if [ -f /usr/share/doc/spice-html5/copyright ]; then cp /usr/share/doc/spice-html5/copyright "$DIR/dist/spice-html5/COPYRIGHT"; fi
