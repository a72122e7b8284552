#!/bin/bash
# Builds the SkillVL "tiny" guest template from Debian packages only.
#
#   images/tiny/build.sh OUTDIR
#
# OUTDIR receives exactly: vmlinuz initrd.img disk.qcow2 cmdline template.json
# (see images/tiny/README.md). Runs as root; idempotent. Downloaded .deb files
# are cached in $TINY_CACHE (default /var/cache/skillvl/tiny); they are only
# extracted (dpkg-deb -x), never installed on the host. Host tools that are
# missing (cpio, e2fsprogs, qemu-utils, ...) are installed with apt-get.
#
# Environment:
#   TINY_CACHE          .deb cache directory
#   TINY_KERNEL_PKG     exact kernel package (default: what linux-image-cloud-amd64 depends on)
#   TINY_ROOT_PASSWORD  root password in the image (default: skillvl)
#   TINY_DISK_SIZE      virtual size of the root disk (default: 256M)
#   SOURCE_DATE_EPOCH   timestamp for every file (default: 2024-01-01T00:00:00Z)
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
[ "$(id -u)" -eq 0 ] || { echo "build.sh: must run as root" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
CACHE=${TINY_CACHE:-/var/cache/skillvl/tiny}
ROOT_PASSWORD=${TINY_ROOT_PASSWORD:-skillvl}
DISK_SIZE=${TINY_DISK_SIZE:-256M}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
export LC_ALL=C TZ=UTC
# fixed identifiers so that rebuilds produce the same filesystem
FS_UUID=5c1a7e00-71a1-4b5e-9a11-000000000001
FS_HASH_SEED=5c1a7e00-71a1-4b5e-9a11-000000000002
PW_SALT=SkillVLtiny1
CMDLINE="console=tty0 console=ttyS0,115200 root=/dev/vda rootfstype=ext4 rw quiet loglevel=3 panic=10"
# virtio stack + what the root disk needs (ext4, jbd2, crc32c, mbcache are
# built into Debian's cloud kernel) + evdev/button for the ACPI power button.
# Dependencies are added and ordered automatically from the modules' depends=.
WANT_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
 failover net_failover virtio_net virtio_blk virtio_console evdev button"

T0=$(date +%s.%N)
TLAST=$T0
step() { # print the time the previous step took
    local now; now=$(date +%s.%N)
    awk -v s="$1" -v a="$TLAST" -v b="$now" -v z="$T0" \
        'BEGIN { printf "[tiny] %-40s %6.2fs  (total %6.2fs)\n", s, b - a, b - z }'
    TLAST=$now
}
die() { echo "build.sh: $*" >&2; exit 1; }

WORK=$(mktemp -d /tmp/tiny-build.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# ---------------------------------------------------------------- host tools
need=()
command -v cpio >/dev/null      || need+=(cpio)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v qemu-img >/dev/null  || need+=(qemu-utils)
command -v gzip >/dev/null      || need+=(gzip)
command -v dpkg-deb >/dev/null  || need+=(dpkg)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
step "host tools"

# ----------------------------------------------------------- resolve packages
kernel_pkg() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }'
}
candidate() { apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }'; }

KPKG=${TINY_KERNEL_PKG:-$(kernel_pkg)}
if [ -z "$KPKG" ] || [ -z "$(candidate "$KPKG")" ] || [ "$(candidate "$KPKG")" = "(none)" ]; then
    apt-get update -qq
    KPKG=${TINY_KERNEL_PKG:-$(kernel_pkg)}
fi
[ -n "$KPKG" ] || die "cannot resolve the Debian cloud kernel package (apt-cache depends linux-image-cloud-amd64)"
PKGS=("$KPKG" busybox-static qemu-guest-agent iputils-ping)
declare -A VER
for p in "${PKGS[@]}"; do
    v=$(candidate "$p")
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "no installable version of $p"
    VER[$p]=$v
done
step "resolve packages"

# ------------------------------------------- download (cached) and extract
mkdir -p "$CACHE"
for p in "${PKGS[@]}"; do
    d="$CACHE/${p}_${VER[$p]//:/%3a}"
    if ! ls "$d"/*.deb >/dev/null 2>&1; then
        rm -rf "$d.tmp"; mkdir -p "$d.tmp"
        (cd "$d.tmp" && apt-get download -qq "$p=${VER[$p]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
        ls "$d.tmp"/*.deb >/dev/null 2>&1 || die "apt-get download $p=${VER[$p]} failed"
        rm -rf "$d"; mv "$d.tmp" "$d"
    fi
    mkdir -p "$WORK/pkg/$p"
    dpkg-deb -x "$d"/*.deb "$WORK/pkg/$p"
done
step "download + extract packages"

KROOT=$WORK/pkg/$KPKG
KVER=$(basename "$(ls -d "$KROOT"/lib/modules/*/ | head -n1)")
[ -f "$KROOT/boot/vmlinuz-$KVER" ] || die "no vmlinuz-$KVER in $KPKG"
MODDIR=$KROOT/lib/modules/$KVER
BB=$WORK/pkg/busybox-static/bin/busybox
QGA=$WORK/pkg/qemu-guest-agent/usr/sbin/qemu-ga
PING=$(ls "$WORK"/pkg/iputils-ping/{bin,usr/bin}/ping 2>/dev/null | head -n1 || true)
[ -x "$BB" ] || die "no busybox in busybox-static"
[ -x "$QGA" ] || die "no qemu-ga in qemu-guest-agent"
[ -n "$PING" ] && [ -x "$PING" ] || die "no ping in iputils-ping"

# ------------------------------------------------------------- module order
declare -A MODPATH DONE
while IFS= read -r f; do
    n=$(basename "$f" .ko); MODPATH[$n]=$f; MODPATH[${n//-/_}]=$f
done < <(find "$MODDIR/kernel" -name '*.ko')
modinfo_field() { tr '\0' '\n' < "$1" | sed -n "s/^$2=//p" | head -n1; }
is_builtin() { grep -q "/$1\.ko\$" "$MODDIR/modules.builtin" || grep -q "/${1//_/-}\.ko\$" "$MODDIR/modules.builtin"; }
ORDER=()
visit() {
    local m=$1 dep
    [ -z "${DONE[$m]:-}" ] || return 0
    DONE[$m]=1
    if [ -z "${MODPATH[$m]:-}" ]; then
        is_builtin "$m" && return 0
        die "module $m is neither built in nor shipped in $KPKG"
    fi
    for dep in $(modinfo_field "${MODPATH[$m]}" depends | tr ',' ' '); do visit "$dep"; done
    ORDER+=("$m")
}
for m in $WANT_MODULES; do visit "$m"; done
step "module order: ${ORDER[*]}"

# ---------------------------------------------------------------- initramfs
IR=$WORK/initramfs
mkdir -p "$IR"/{bin,sbin,dev,proc,sys,newroot,lib/modules}
install -m 0755 "$BB" "$IR/bin/busybox"
for a in sh mount umount mkdir insmod sleep cat grep switch_root setsid cttyhack echo ls; do
    ln -s busybox "$IR/bin/$a"
done
install -m 0755 "$HERE/files/initramfs/init" "$IR/init"
: > "$IR/lib/modules/load-order"
for m in "${ORDER[@]}"; do
    install -m 0644 "${MODPATH[$m]}" "$IR/lib/modules/$m.ko"
    echo "$m" >> "$IR/lib/modules/load-order"
done
mknod -m 0600 "$IR/dev/console" c 5 1
mknod -m 0666 "$IR/dev/null" c 1 3
find "$IR" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$IR" && find . -mindepth 1 | sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n > "$WORK/initrd.img"
step "initramfs"

# ------------------------------------------------------------ root filesystem
R=$WORK/root
mkdir -p "$R"
for d in bin sbin usr/bin usr/sbin usr/lib etc/init.d dev proc sys run tmp root home mnt \
         var/log var/lib var/spool var/tmp lib64 lib/x86_64-linux-gnu; do
    mkdir -p "$R/$d"
done
ln -s ../run "$R/var/run"
ln -s ../run/lock "$R/var/lock"
chmod 1777 "$R/tmp" "$R/var/tmp"
chmod 0700 "$R/root"
install -m 0755 "$BB" "$R/bin/busybox"
while IFS= read -r a; do
    case "$a" in bin/busybox|linuxrc|"") continue ;; esac
    [ -e "$R/$a" ] || [ -L "$R/$a" ] && continue
    rel=$(echo "$a" | sed -e 's|[^/]*/|../|g' -e 's|[^/]*$||')
    ln -s "${rel}bin/busybox" "$R/$a"
done < <("$BB" --list-full | sort)
# local files (inittab, rc scripts, /sbin/shutdown, acpid handler, ...)
cp -a --remove-destination "$HERE/files/rootfs/." "$R/"
for f in etc/init.d/rcS etc/init.d/rcK etc/init.d/getty etc/init.d/qemu-ga sbin/shutdown etc/acpi/PWRF/00000080; do
    chmod 0755 "$R/$f"
done
# root password
HASH=$("$BB" mkpasswd -m sha512 "$ROOT_PASSWORD" "$PW_SALT")
DAYS=$((SOURCE_DATE_EPOCH / 86400))
printf 'root:%s:%s:0:99999:7:::\ndaemon:*:%s:0:99999:7:::\nnobody:*:%s:0:99999:7:::\n' \
    "$HASH" "$DAYS" "$DAYS" "$DAYS" > "$R/etc/shadow"
chmod 0640 "$R/etc/shadow"
chmod 0644 "$R/etc/passwd" "$R/etc/group"
printf 'KERNEL=%s\nKERNEL_PACKAGE=%s %s\nBUSYBOX=%s\nQEMU_GUEST_AGENT=%s\nIPUTILS_PING=%s\n' "$KVER" "$KPKG" "${VER[$KPKG]}" \
    "${VER[busybox-static]}" "${VER[qemu-guest-agent]}" "${VER[iputils-ping]}" > "$R/etc/skillvl-tiny-release"

# A binary from a package plus every library ldd lists (host libraries at the
# same paths; the host is the same Debian release, so these are the versions the
# package expects). Missing ones: install the package's dependencies on the host.
add_with_libs() { # BINARY PACKAGE
    local bin=$1 pkg=$2 deps lib
    if ldd "$bin" | grep -q 'not found'; then
        deps=$(apt-cache depends "$pkg" | awk '$1 == "Depends:" && $2 !~ /[<>]/ { print $2 }')
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $deps >/dev/null
    fi
    ldd "$bin" | grep -q 'not found' && die "$bin: unresolved libraries: $(ldd "$bin" | grep 'not found')"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*' | sort -u); do
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}
install -m 0755 "$QGA" "$R/usr/sbin/qemu-ga"
add_with_libs "$QGA" qemu-guest-agent
# iputils ping, because busybox ping cannot set don't-fragment (-M do): the
# overlay's MTU check (issue 5) pings with 1422-byte payloads and DF. It replaces
# busybox's /bin/ping applet link (PATH has /bin before /usr/bin). No file
# capability is needed: root may open raw sockets, and rcS's ping_group_range
# lets everyone else use ICMP datagram sockets, which iputils ping tries first.
install -m 0755 "$PING" "$R/usr/bin/ping"
ln -sfn ../usr/bin/ping "$R/bin/ping"
add_with_libs "$PING" iputils-ping
step "root tree"

find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$WORK/disk.raw"
truncate -s "$DISK_SIZE" "$WORK/disk.raw"
mkfs.ext4 -q -F -T default -L tiny-root -U "$FS_UUID" -I 256 \
    -E "root_owner=0:0,hash_seed=$FS_HASH_SEED,lazy_itable_init=0,nodiscard" \
    -d "$R" "$WORK/disk.raw"
# mke2fs -d copies each file's ctime (the time of this build): pin it too
(cd "$R" && find . -mindepth 1 | sort | sed -e 's|^\.||' \
    -e "s|.*|set_inode_field & ctime @$SOURCE_DATE_EPOCH|") > "$WORK/ctime.debugfs"
debugfs -w -f "$WORK/ctime.debugfs" "$WORK/disk.raw" >/dev/null 2>"$WORK/debugfs.err" ||
    { cat "$WORK/debugfs.err" >&2; die "debugfs failed"; }
qemu-img convert -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"
step "disk image"

# -------------------------------------------------------------------- output
install -m 0644 "$KROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
echo "$CMDLINE" > "$WORK/cmdline"
sum() { sha256sum "$WORK/$1" | cut -d' ' -f1; }
cat > "$WORK/template.json" <<EOF
{
  "name": "tiny",
  "boot": "kernel",
  "cmdline": "$CMDLINE",
  "defaultMemoryMiB": 128,
  "defaultCpus": 1,
  "kernelVersion": "$KVER",
  "files": {
    "vmlinuz": "$(sum vmlinuz)",
    "initrd.img": "$(sum initrd.img)",
    "disk.qcow2": "$(sum disk.qcow2)"
  }
}
EOF
mkdir -p "$OUT"
for f in vmlinuz initrd.img disk.qcow2 cmdline template.json; do
    touch -d "@$SOURCE_DATE_EPOCH" "$WORK/$f"
    mv -f "$WORK/$f" "$OUT/$f.tmp"
    mv -f "$OUT/$f.tmp" "$OUT/$f"
done
step "output"
echo "[tiny] kernel package: $KPKG ${VER[$KPKG]} ($KVER)"
echo "[tiny] busybox-static ${VER[busybox-static]}, qemu-guest-agent ${VER[qemu-guest-agent]}, iputils-ping ${VER[iputils-ping]}"
ls -l "$OUT"
