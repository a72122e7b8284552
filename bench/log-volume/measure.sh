#!/usr/bin/env bash
# Log bytes per minute and database queries per second of a SkillVL Server, idle and with one event stream open
# (what one browser tab on a room view holds). Issue 11 finding 4; results in docs/benchmarks.md.
#   bench/log-volume/measure.sh SERVER_DLL LABEL [ticket|query] [extra Server arguments...]
# Starts the Server from the repository root as `./skillvl up` does (a working directory that is not its own), in a
# fresh data directory, no rooms, loopback only. Waits 10 s, then measures two 60 s windows: idle, then with one SSE
# stream open (`ticket`: POST /api/v1/events/tickets then GET ?ticket=; `query`: ?access_token=, the old way).
# Log bytes: what lands in the log file an operator gets (the old `up` redirect of stdout, or <data>/logs/server.log).
# Queries: EF Core's "Executed DbCommand" records (one per command), counted in stdout; pass
# --Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information when the levels hide them.
set -euo pipefail
DLL=$1; LABEL=$2; SSE=${3:-ticket}; shift 3 || shift $#
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/svl-lv-XXXXXX)
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT
WINDOW=${WINDOW:-60}
cd "$ROOT"
dotnet "$DLL" "--SkillVL:DataDirectory=$WORK/data" "--SkillVL:RuntimeDirectory=$WORK/run" "--SkillVL:Listen=$URL" \
  --SkillVL:Accelerator=tcg --SkillVL:CliConfigPath= --SkillVL:AgentSocket=none "$@" >"$WORK/stdout.log" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; [ -n "${CURL:-}" ] && kill "$CURL" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 120); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 1; done
sleep 10
TOKEN=$(cat "$WORK/data/admin-token")
logfile() { if [ -f "$WORK/data/logs/server.log" ]; then echo "$WORK/data/logs/server.log"; else echo "$WORK/stdout.log"; fi; }
bytes() { stat -c %s "$(logfile)"; }
queries() { grep -c "Executed DbCommand" "$WORK/stdout.log" || true; }
window() {
  local b0 q0 b1 q1
  b0=$(bytes); q0=$(queries); sleep "$WINDOW"; b1=$(bytes); q1=$(queries)
  awk -v b=$((b1 - b0)) -v q=$((q1 - q0)) -v w="$WINDOW" -v l="$LABEL" -v p="$1" \
    'BEGIN { printf "%s | %s | %.0f bytes/min | %.2f queries/s\n", l, p, b * 60 / w, q / w }'
}
window idle
if [ "$SSE" = query ]; then
  curl -sN "$URL/api/v1/events?access_token=$TOKEN" >/dev/null &
else
  STREAM=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events/tickets" | sed -E 's/.*"url":"([^"]*)".*/\1/')
  curl -sN "$URL$STREAM" >/dev/null &
fi
CURL=$!
sleep 2
window "one SSE stream"
