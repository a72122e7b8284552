#!/usr/bin/env bash
# Installs what SkillVL needs on a Debian 12 host and builds it. Idempotent; used by `./skillvl up` and
# `./test.sh`. Run as root.
#   scripts/bootstrap.sh            packages + build of server and CLI + the tiny template
#   scripts/bootstrap.sh --no-build packages and the tiny template, no build (the test command builds itself)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILD="$ROOT/.build"
log() { printf '==> %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "skillvl: run as root (QEMU taps and bridges need it)" >&2
  exit 1
fi

# Debian packages. QEMU and qemu-img run VMs; iproute2 makes bridges and taps; iperf3 and ping measure links;
# gnutls-bin (certtool, gnutls-serv/-cli) checks the nodes' QEMU TLS credentials in the tests; nftables (nft) loads the
# masquerade of the testbed's NAT routers (--behind-nat, inside their own namespaces only); dnsmasq-base serves DHCP
# and DNS inside a room's router namespace (ADR 0039); spice-html5 is the SPICE console page's client, which web/build.sh
# copies into the built UI (ADR 0056); dosfstools and mtools make a cloud-init template's seed volume (ADR 0059), and
# openssh-client logs in to the debian12 guest in its test; the rest builds the tiny template.
PACKAGES=(qemu-system-x86 qemu-utils iproute2 busybox-static e2fsprogs cpio kmod procps ca-certificates curl iperf3 gnutls-bin iputils-ping nftables dnsmasq-base spice-html5 dosfstools mtools openssh-client)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The unprivileged user every QEMU runs as (ADR 0016); the node agent makes it too when missing.
if ! getent passwd skillvl-qemu >/dev/null; then
  log "creating the system user skillvl-qemu (QEMU runs as it)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group skillvl-qemu
fi

if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET 10 SDK is missing: trying Debian's package dotnet-sdk-10.0"
  apt-get install -y -q dotnet-sdk-10.0 >/dev/null 2>&1 || {
    echo "skillvl: the .NET 10 SDK is needed and no configured package source offers it." >&2
    echo "         Add Microsoft's Debian 12 package feed (packages-microsoft-prod.deb), then run again." >&2
    exit 1
  }
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Node.js builds the web UI (and runs the OIDC interop provider in tests): the machine's, else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing Node.js and npm from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi

build_tiny() {
  # The tiny guest template, rebuilt when its recipe changes.
  img_stamp=$(cat "$ROOT"/images/tiny/build.sh $(find "$ROOT/images/tiny/files" -type f 2>/dev/null | sort) 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -f "$BUILD/images/tiny/template.json" ] || [ "$(cat "$BUILD/images/tiny.stamp" 2>/dev/null)" != "$img_stamp" ]; then
    log "building the tiny guest template from Debian packages"
    rm -rf "$BUILD/images/tiny"
    mkdir -p "$BUILD/images"
    "$ROOT/images/tiny/build.sh" "$BUILD/images/tiny" >&2
    echo "$img_stamp" > "$BUILD/images/tiny.stamp"
  fi
}

if [ "${1:-}" = "--no-build" ]; then
  build_tiny
  exit 0
fi

# Build server and CLI once per source change (a stamp over the tracked sources).
stamp=$(cd "$ROOT" && find src Directory.Build.props Directory.Packages.props global.json \( -name bin -o -name obj \) -prune -o -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ ! -f "$BUILD/stamp" ] || [ "$(cat "$BUILD/stamp")" != "$stamp" ] || [ ! -f "$BUILD/server/skillvl-server.dll" ] \
   || [ ! -f "$BUILD/testbed/skillvl-testbed.dll" ] || [ ! -f "$BUILD/experiment/skillvl-experiment.dll" ]; then
  log "building SkillVL (dotnet publish)"
  dotnet publish "$ROOT/src/SkillVL.Server.Host" -c Release -o "$BUILD/server" --nologo -v quiet
  dotnet publish "$ROOT/src/SkillVL.Cli" -c Release -o "$BUILD/cli" --nologo -v quiet
  # Node agent (other machines, testbed namespaces), the testbed and its WAN link emulator.
  dotnet publish "$ROOT/src/SkillVL.Agent.Host" -c Release -o "$BUILD/agent" --nologo -v quiet
  dotnet publish "$ROOT/src/SkillVL.LinkEmulator.Host" -c Release -o "$BUILD/linkem" --nologo -v quiet
  dotnet publish "$ROOT/src/SkillVL.Testbed" -c Release -o "$BUILD/testbed" --nologo -v quiet
  # `skillvl experiment` (docs/experiments.md): embeds a Server, builds a testbed; agent and linkem land next to it.
  dotnet publish "$ROOT/src/SkillVL.Experiments.Host" -c Release -o "$BUILD/experiment" --nologo -v quiet
  echo "$stamp" > "$BUILD/stamp"
fi

# The web UI (React + Vite) into web/dist, which the Server serves at "/" (skipped when unchanged).
"$ROOT/web/build.sh"

build_tiny
