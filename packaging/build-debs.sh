#!/usr/bin/env bash
# Builds the Debian packages an operator installs (issue 16, ADR 0057):
#   skillvl-server  the Server with its embedded node, the web UI and the `skillvl` CLI
#   skillvl-agent   the node agent for further machines
# Each carries a self-contained .NET publish, so the host needs neither the .NET SDK nor Node.js.
#   packaging/build-debs.sh [--out DIR] [--version VERSION]     (default: .build/debs, 0.<commits>+g<sha>)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
OUT="$ROOT/.build/debs"
VERSION=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    *) echo "build-debs: unknown argument '$1' (--out DIR, --version VERSION)" >&2; exit 2 ;;
  esac
done
if [ -z "$VERSION" ]; then
  VERSION="0.$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 0)+g$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo local)"
fi
if ! [[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]]; then
  echo "build-debs: --version '$VERSION' is not a Debian version (it starts with a digit; letters, digits, . + ~ -)" >&2
  exit 2
fi
command -v dpkg-deb >/dev/null || { echo "build-debs: dpkg-deb is missing (Debian's dpkg)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '==> %s\n' "$*" >&2; }

WORK=$(mktemp -d /tmp/svl-debs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DEB="$ROOT/packaging/debian"

publish() { # project output-dir
  log "publishing $1 (self-contained, linux-x64)"
  dotnet publish "$ROOT/src/$1" -c Release -r linux-x64 --self-contained -p:PublishSingleFile=false \
    -p:DebugType=none -p:SatelliteResourceLanguages=en -o "$2" --nologo -v quiet >&2
  # No program's debug or XML files in a package; nothing writable by others.
  find "$2" \( -name '*.pdb' -o -name '*.xml' \) -delete
}

control() { # package description depends
  cat <<CONTROL
Package: $1
Version: $VERSION
Section: admin
Priority: optional
Architecture: amd64
Maintainer: SkillVL developers <skillvl@localhost>
Depends: $3
Suggests: ceph-common, qemu-block-extra
Description: $2
CONTROL
}

# Both packages need QEMU (the Server embeds a node), iproute2, nftables and dnsmasq for rooms, setpriv (util-linux) to drop
# QEMU's privileges, OpenSSL for TLS, and adduser for the QEMU user. VM disks in Ceph RBD (ADR 0055) need the rbd tool and
# QEMU's rbd driver: suggested, since most nodes keep qcow2 disks.
COMMON_DEPENDS="libc6, libgcc-s1, libstdc++6, libssl3, zlib1g, ca-certificates, adduser, util-linux, procps, iproute2, nftables, dnsmasq-base, qemu-system-x86, qemu-utils, dosfstools, mtools"

# --- skillvl-server -------------------------------------------------------------------------------------------------
S="$WORK/skillvl-server"
publish SkillVL.Server.Host "$S/usr/lib/skillvl/server"
publish SkillVL.Cli "$S/usr/lib/skillvl/cli"
"$ROOT/web/build.sh"
mkdir -p "$S/usr/share/skillvl/web" "$S/usr/bin" "$S/etc/skillvl" "$S/lib/systemd/system" "$S/DEBIAN" "$S/usr/share/doc/skillvl-server"
cp -r "$ROOT/web/dist/." "$S/usr/share/skillvl/web/"
rm -f "$S/usr/share/skillvl/web/.skillvl-build-stamp"
ln -s ../lib/skillvl/cli/skillvl "$S/usr/bin/skillvl"
# The Server reads appsettings.Production.json beside its program: that is the operator's /etc/skillvl/server.json.
ln -s /etc/skillvl/server.json "$S/usr/lib/skillvl/server/appsettings.Production.json"
install -m 0640 "$DEB/server.json" "$S/etc/skillvl/server.json"
install -m 0644 "$DEB/skillvl-server.service" "$S/lib/systemd/system/"
install -m 0644 "$ROOT/README.md" "$S/usr/share/doc/skillvl-server/README.md"
control skillvl-server "SkillVL Server: virtual teaching labs (rooms of VMs and networks, browser consoles)" \
  "$COMMON_DEPENDS" >"$S/DEBIAN/control"
echo /etc/skillvl/server.json >"$S/DEBIAN/conffiles"
install -m 0755 "$DEB/skillvl-server.postinst" "$S/DEBIAN/postinst"
install -m 0755 "$DEB/skillvl-server.prerm" "$S/DEBIAN/prerm"
install -m 0755 "$DEB/skillvl-server.postrm" "$S/DEBIAN/postrm"

# --- skillvl-agent --------------------------------------------------------------------------------------------------
A="$WORK/skillvl-agent"
publish SkillVL.Agent.Host "$A/usr/lib/skillvl/agent"
mkdir -p "$A/etc/skillvl" "$A/lib/systemd/system" "$A/DEBIAN" "$A/usr/share/doc/skillvl-agent"
install -m 0644 "$DEB/agent.env.example" "$A/usr/share/doc/skillvl-agent/agent.env.example"
install -m 0644 "$DEB/skillvl-agent.service" "$A/lib/systemd/system/"
install -m 0644 "$ROOT/README.md" "$A/usr/share/doc/skillvl-agent/README.md"
control skillvl-agent "SkillVL node agent: runs a SkillVL Server's VMs on this machine" \
  "$COMMON_DEPENDS" >"$A/DEBIAN/control"
install -m 0755 "$DEB/skillvl-agent.postinst" "$A/DEBIAN/postinst"
install -m 0755 "$DEB/skillvl-agent.prerm" "$A/DEBIAN/prerm"
install -m 0755 "$DEB/skillvl-agent.postrm" "$A/DEBIAN/postrm"

mkdir -p "$OUT"
for p in "$S" "$A"; do
  # Files root's, never writable by group or others; Installed-Size in KiB.
  chmod -R go-w "$p"
  echo "Installed-Size: $(du -sk --exclude=DEBIAN "$p" | cut -f1)" >>"$p/DEBIAN/control"
  dpkg-deb --root-owner-group -Zzstd -z9 --build "$p" "$OUT/$(basename "$p")_${VERSION}_amd64.deb" >/dev/null
  log "built $OUT/$(basename "$p")_${VERSION}_amd64.deb ($(du -h "$OUT/$(basename "$p")_${VERSION}_amd64.deb" | cut -f1))"
done
