#!/bin/bash
# Builds the SkillVL "debian12" guest template: a real Debian 12 (bookworm) with systemd, the
# guest agent, OpenSSH and cloud-init (NoCloud only), booted from its own disk.
#
#   images/debian12/build.sh OUTDIR
#
# OUTDIR receives exactly: disk.qcow2 template.json (see images/debian12/README.md and ADR 0059).
# Runs as root; idempotent. debootstrap's .deb files are cached in $DEBIAN12_CACHE (default
# /var/cache/skillvl/debian12). The mirror is the one this host's apt uses for bookworm main
# (apt-get indextargets), so no mirror host name is written here. Missing host tools (debootstrap,
# syslinux, mtools, dosfstools, e2fsprogs, qemu-utils, fdisk) are installed with apt-get.
#
# Disk layout (MBR): partition 1, 64 MiB FAT16 "SVLBOOT", active, holds SYSLINUX, the kernel and
# the initramfs; partition 2, ext4 "root", the system. SYSLINUX because it installs into a FAT
# image with mtools alone: nothing is loop-mounted on the build host (see ADR 0059).
#
# Environment:
#   DEBIAN12_CACHE      cache directory (debs/ under it)
#   DEBIAN12_DISK_SIZE  virtual size of the root partition (default: 4G)
#   SOURCE_DATE_EPOCH   timestamp for the filesystems (default: 2024-01-01T00:00:00Z)
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
[ "$(id -u)" -eq 0 ] || { echo "build.sh: must run as root" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
CACHE=${DEBIAN12_CACHE:-/var/cache/skillvl/debian12}
ROOT_SIZE=${DEBIAN12_DISK_SIZE:-4G}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive
# fixed identifiers: the kernel command line names the root by UUID, and rebuilds keep them
FS_UUID=5c1a7e00-71a1-4b5e-9a11-0000000000d1
FS_HASH_SEED=5c1a7e00-71a1-4b5e-9a11-0000000000d2
BOOT_MIB=64
# quiet + loglevel=3: printing to a serial port is slow under TCG. ttyS0 last, so /dev/console is the serial port.
CMDLINE="console=tty0 console=ttyS0,115200 root=UUID=$FS_UUID ro quiet loglevel=3 panic=10"
# systemd, the agent, SSH, cloud-init and the tools a student expects (issue 18, Deliver 1). Installed by apt in the
# new root, not by debootstrap --include, which does not resolve virtual packages (python3-cryptography's cffi API).
PACKAGES=(systemd systemd-sysv udev dbus linux-image-cloud-amd64 initramfs-tools qemu-guest-agent cloud-init
          openssh-server iproute2 iputils-ping curl ca-certificates less vim-tiny nano sudo netbase kmod)

T0=$(date +%s.%N)
TLAST=$T0
step() { # print the time the previous step took
    local now; now=$(date +%s.%N)
    awk -v s="$1" -v a="$TLAST" -v b="$now" -v z="$T0" \
        'BEGIN { printf "[debian12] %-36s %7.2fs  (total %7.2fs)\n", s, b - a, b - z }'
    TLAST=$now
}
die() { echo "build.sh: $*" >&2; exit 1; }

WORK=$(mktemp -d /tmp/debian12-build.XXXXXX)
R=$WORK/root
cleanup() {
    # debootstrap and our chroot calls mount proc/sys/dev under the tree: never rm -rf through a mount
    for m in $(awk -v r="$R" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" || true; done
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- host tools
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v syslinux >/dev/null    || need+=(syslinux)
[ -f /usr/lib/syslinux/mbr/mbr.bin ] || need+=(syslinux-common)
command -v mcopy >/dev/null       || need+=(mtools)
command -v mkfs.vfat >/dev/null   || need+=(dosfstools)
command -v mkfs.ext4 >/dev/null   || need+=(e2fsprogs)
command -v qemu-img >/dev/null    || need+=(qemu-utils)
command -v sfdisk >/dev/null      || need+=(fdisk)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
step "host tools"

# ----------------------------------------------------------------- debootstrap
mirror() { apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' | awk '$2 == "bookworm" && $3 == "main" { print $1; exit }'; }
MIRROR=$(mirror)
[ -n "$MIRROR" ] || { apt-get update -qq; MIRROR=$(mirror); }
[ -n "$MIRROR" ] || die "this host's apt has no bookworm main repository; debootstrap needs one"
mkdir -p "$CACHE/debs" "$CACHE/apt"
debootstrap --variant=minbase --cache-dir="$CACHE/debs" bookworm "$R" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
step "debootstrap"

in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"; }
# security updates come from the same host apt uses, with the same layout
SECURITY=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk '$2 == "bookworm-security" { print $1; exit }')
{
    echo "deb $MIRROR bookworm main"
    echo "deb $MIRROR bookworm-updates main"
    [ -z "$SECURITY" ] || echo "deb $SECURITY bookworm-security main"
} > "$R/etc/apt/sources.list"
# no service starts inside the build root; apt's downloads land in the cache (bind mount, undone by cleanup)
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 0755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
mount --bind "$CACHE/apt" "$R/var/cache/apt/archives"
in_root apt-get update -qq
# the initramfs config first, so the kernel's postinst builds the small one once
mkdir -p "$R/etc/initramfs-tools/conf.d"
cp "$HERE/files/rootfs/etc/initramfs-tools/modules" "$R/etc/initramfs-tools/modules"
cp "$HERE/files/rootfs/etc/initramfs-tools/conf.d/skillvl.conf" "$R/etc/initramfs-tools/conf.d/skillvl.conf"
in_root apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${PACKAGES[@]}" > "$WORK/apt.log" 2>&1 ||
    { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install in the new root failed (log above)"; }
umount "$R/var/cache/apt/archives"
rm -f "$R/usr/sbin/policy-rc.d"
step "install packages"

# ------------------------------------------------------------------ configure
cp -a --remove-destination "$HERE/files/rootfs/." "$R/"
echo "UUID=$FS_UUID / ext4 defaults,errors=remount-ro 0 1" > "$R/etc/fstab"
echo debian12 > "$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"
: > "$R/etc/machine-id"   # empty: systemd makes a new one on first boot, so clones differ
rm -f "$R/var/lib/dbus/machine-id"
# root stays locked (debootstrap leaves "*"): logins are the room's keys through cloud-init (ADR 0059)
in_root passwd -l root >/dev/null
# host keys are made per machine on its first boot (cloud-init's ssh module, ed25519 only: fast under TCG)
rm -f "$R"/etc/ssh/ssh_host_*
# slow or useless in a lab VM under TCG: timers that wake the disk, waiting for a network that may never
# answer DHCP (a NIC without an address is the student's), the pstore scan, binfmt_misc (no foreign binaries), and
# cloud-init's config stage (its modules run in the final stage: 90_skillvl.cfg)
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
         systemd-networkd-wait-online.service systemd-pstore.service systemd-binfmt.service \
         proc-sys-fs-binfmt_misc.automount cloud-config.service; do
    ln -sfn /dev/null "$R/etc/systemd/system/$u"
done
in_root systemctl enable systemd-networkd.service >/dev/null 2>&1
# smaller image: documentation and translations nobody reads in a lab VM
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin
find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
in_root apt-get clean
step "configure"

# the kernel's postinst built the initramfs with MODULES=list (files/rootfs/etc/initramfs-tools)
KVER=$(basename "$(ls -d "$R"/lib/modules/*/ | head -n1)")
[ -f "$R/boot/vmlinuz-$KVER" ] && [ -f "$R/boot/initrd.img-$KVER" ] || die "no kernel/initramfs for $KVER"
KPKG_VER=$(in_root dpkg-query -W -f '${Version}' "linux-image-$KVER")
printf 'KERNEL=%s\nKERNEL_PACKAGE=linux-image-%s %s\nCLOUD_INIT=%s\n' "$KVER" "$KVER" "$KPKG_VER" \
    "$(in_root dpkg-query -W -f '${Version}' cloud-init)" > "$R/etc/skillvl-debian12-release"
step "kernel $KVER"

# ---------------------------------------------------------------- disk image
for m in $(awk -v r="$R" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m"; done
BOOT=$WORK/boot.img
rm -f "$BOOT"
mkfs.vfat -C -F 16 -n SVLBOOT -i 5c1a7e01 "$BOOT" $((BOOT_MIB * 1024 - 1024)) >/dev/null
syslinux --install "$BOOT"
sed -e "s|@KVER@|$KVER|g" -e "s|@CMDLINE@|$CMDLINE|g" "$HERE/files/syslinux.cfg" > "$WORK/syslinux.cfg"
mcopy -i "$BOOT" "$WORK/syslinux.cfg" ::/syslinux.cfg
mcopy -i "$BOOT" "$R/boot/vmlinuz-$KVER" ::/vmlinuz
mcopy -i "$BOOT" "$R/boot/initrd.img-$KVER" ::/initrd.img

ROOTFS=$WORK/root.img
truncate -s "$ROOT_SIZE" "$ROOTFS"
mkfs.ext4 -q -F -L root -U "$FS_UUID" -E "root_owner=0:0,hash_seed=$FS_HASH_SEED,nodiscard" -d "$R" "$ROOTFS"

# MBR: 1 MiB gap, boot partition (active), root partition; the partitions are copied in at their offsets
RAW=$WORK/disk.raw
ROOT_BYTES=$(stat -c %s "$ROOTFS")
truncate -s $(( BOOT_MIB * 1024 * 1024 + ROOT_BYTES )) "$RAW"
sfdisk -q --label dos "$RAW" <<EOF
label-id: 0x5c1a7e00
start=2048, size=$(( (BOOT_MIB - 1) * 2048 )), type=6, bootable
start=$(( BOOT_MIB * 2048 )), size=$(( ROOT_BYTES / 512 )), type=83
EOF
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$RAW" bs=440 count=1 conv=notrunc status=none
dd if="$BOOT" of="$RAW" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$ROOTFS" of="$RAW" bs=1M seek="$BOOT_MIB" conv=notrunc,sparse status=none
rm -f "$ROOTFS" "$BOOT"
qemu-img convert -c -f raw -O qcow2 -o cluster_size=65536 "$RAW" "$WORK/disk.qcow2"
rm -f "$RAW"
step "disk image"

# -------------------------------------------------------------------- output
sum() { sha256sum "$WORK/$1" | cut -d' ' -f1; }
cat > "$WORK/template.json" <<EOF
{
  "name": "debian12",
  "boot": "disk",
  "defaultMemoryMiB": 512,
  "defaultCpus": 1,
  "kernelVersion": "$KVER",
  "cloudInit": true,
  "loginHint": "ssh debian@<address> with a key from the room (cloudInit.sshKeys); root and passwords are locked",
  "files": {
    "disk.qcow2": "$(sum disk.qcow2)"
  }
}
EOF
mkdir -p "$OUT"
for f in disk.qcow2 template.json; do
    touch -d "@$SOURCE_DATE_EPOCH" "$WORK/$f"
    mv -f "$WORK/$f" "$OUT/$f.tmp"
    mv -f "$OUT/$f.tmp" "$OUT/$f"
done
step "output"
echo "[debian12] kernel linux-image-$KVER $KPKG_VER; disk.qcow2 $(( $(stat -c %s "$OUT/disk.qcow2") / 1024 / 1024 )) MiB"
ls -l "$OUT"
