using System.Globalization;
using System.Text.RegularExpressions;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Hypervisor;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.CommandLine;

/// <summary>
/// Turns a <see cref="VmSpec"/> into QEMU's argv (without the binary). Pure: no I/O, so every command line is
/// pinned by golden files (qemu-server's cfg2cmd tests). The argument order is fixed; change it only together
/// with the golden files.
/// </summary>
public static partial class QemuCommandLineBuilder
{
    /// <summary>Tap devices are "svt" + the NIC's 12-hex id: 15 characters, the Linux limit (IFNAMSIZ - 1).</summary>
    public const string TapPrefix = "svt";

    /// <summary>The virtio-serial port name qemu-ga looks for in the guest.</summary>
    public const string GuestAgentPortName = "org.qemu.guest_agent.0";

    public static string TapName(string nicId) =>
        ShortId.IsValid(nicId)
            ? TapPrefix + nicId
            : throw new ArgumentException($"NIC id '{nicId}' is not a 12-hex platform id.", nameof(nicId));

    /// <summary>The <c>-sandbox</c> value when <see cref="QemuDriverOptions.Sandbox"/> is on.</summary>
    public const string Sandbox = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /// <summary>The block node of the VM's disk (format layer): what the device uses, NBD exports and mirrors copy.</summary>
    public const string DiskNode = "disk0";

    /// <summary>The block node of the cloud-init seed (ADR 0059), and its file node.</summary>
    public const string SeedNode = "seed0";

    public const string SeedFileNode = "seed0-file";

    /// <summary>The file (protocol) node under <see cref="DiskNode"/>.</summary>
    public const string DiskFileNode = "disk0-file";

    /// <summary>
    /// The argv of a VM that receives a migration: the same machine (devices must match the source's), started
    /// paused (<c>-S</c>) and waiting for the address given later by QMP <c>migrate-incoming</c>
    /// (<c>-incoming defer</c>), so that the NBD export and migration parameters can be set up first.
    /// </summary>
    public static IReadOnlyList<string> BuildIncoming(
        VmSpec spec,
        TemplateFiles template,
        VmPaths paths,
        QemuAccelerator accelerator,
        QemuDriverOptions options) =>
        [.. Build(spec, template, paths, accelerator, options), "-incoming", "defer"];

    /// <summary>The argv of a stopped VM started only to be moved offline: paused before its first instruction (which
    /// every QEMU is; this one is never resumed here).</summary>
    public static IReadOnlyList<string> BuildPaused(
        VmSpec spec,
        TemplateFiles template,
        VmPaths paths,
        QemuAccelerator accelerator,
        QemuDriverOptions options) =>
        Build(spec, template, paths, accelerator, options);

    /// <param name="fileDisk">The disk is <see cref="VmPaths.Disk"/> whatever <see cref="QemuDriverOptions.DiskStore"/> says:
    /// the accelerator probe's throwaway overlay is always a local qcow2.</param>
    public static IReadOnlyList<string> Build(
        VmSpec spec,
        TemplateFiles template,
        VmPaths paths,
        QemuAccelerator accelerator,
        QemuDriverOptions options,
        bool fileDisk = false)
    {
        Validate(spec, template);
        var args = new List<string>
        {
            "-name", Escape(spec.Name),
            // Only what we list below exists: no default NIC, serial, parallel, floppy, CD-ROM or VGA, and no
            // host-wide /etc/qemu config can change the machine behind our back.
            "-nodefaults",
            "-no-user-config",
            // No -daemonize: under the sandbox its setsid() and fork() kill QEMU 7.2. The launch detaches QEMU instead
            // (QemuLaunchCommand), and the VM survives the SkillVL process (re-adoption via pidfile + QMP, like
            // Proxmox qemu-server).
            "-pidfile", paths.PidFile,
            "-machine", Escape(options.MachineTypeInUse ?? options.MachineType),
        };

        if (options.Sandbox)
        {
            // seccomp as libvirt's seccomp_sandbox sets it: a QEMU a guest took over cannot run programs or fork
            // (spawn), change uid/gid (elevateprivileges), use obsolete system calls, or change its scheduling or
            // CPU affinity (resourcecontrol); the kernel kills it instead (ADR 0016).
            args.AddRange(["-sandbox", Sandbox]);
        }

        if (accelerator == QemuAccelerator.Kvm)
        {
            args.AddRange(["-accel", "kvm", "-cpu", QemuHypervisorProbe.CpuModel(options, accelerator)]);
        }
        else
        {
            // tb-size bounds the translated-code cache (QEMU's default is 1 GiB): see
            // QemuDriverOptions.TcgTranslationBlockCacheMiB.
            args.AddRange(
            [
                "-accel", "tcg,tb-size=" + options.TcgTranslationBlockCacheMiB.ToString(CultureInfo.InvariantCulture),
                "-cpu", QemuHypervisorProbe.CpuModel(options, accelerator),
            ]);
        }

        args.AddRange(
        [
            "-smp", spec.Cpus.ToString(CultureInfo.InvariantCulture),
            "-m", MemoryMiB(spec.MemoryBytes).ToString(CultureInfo.InvariantCulture) + "M",
            // A guest poweroff stops the vCPUs but keeps the process (status "shutdown"), so we can tell a guest
            // that powered itself off (ShutOff) from a process that died (Crashed); the driver then quits it.
            "-no-shutdown",
            // Paused before the first guest instruction: the launch hands QEMU's sockets and log to root first
            // (QemuConfinement.SealAsync), then resumes it (QMP cont), so no guest code runs while QEMU still owns them.
            "-S",

            // QMP on a unix socket: only root on this host can reach it (root owns it once QEMU is up).
            "-chardev", $"socket,id=qmp,path={Escape(paths.QmpSocket)},server=on,wait=off",
            "-mon", "chardev=qmp,mode=control",

            // Serial console: a socket for the console gateway, and a log file of everything the guest prints.
            "-chardev",
            $"socket,id=serial0,path={Escape(paths.SerialSocket)},server=on,wait=off,logfile={Escape(paths.SerialLog)},logappend=off",
            "-serial", "chardev:serial0",

            // Guest agent channel: a virtio-serial port with the name qemu-ga looks for.
            "-chardev", $"socket,id=qga0,path={Escape(paths.GuestAgentSocket)},server=on,wait=off",
            "-device", "virtio-serial-pci,id=virtio-serial0",
            "-device", $"virtserialport,bus=virtio-serial0.0,chardev=qga0,name={GuestAgentPortName}",

            // VNC only on a unix socket, never TCP: it cannot be reached from outside the host; the console
            // gateway connects to the socket and does authentication.
            "-vnc", "unix:" + Escape(paths.VncSocket),
            // SPICE beside it (ADR 0056), also only on a unix socket in the runtime directory: ticketing is off because
            // nothing but root on this host (the node's console gateway) can reach the socket, as with VNC. SPICE's
            // display channel shows the same VGA device; no QXL, so the guest needs no SPICE driver.
            "-spice", $"unix=on,addr={Escape(paths.SpiceSocket)},disable-ticketing=on",
            "-device", "VGA",
        ]);

        if (options.UsesRbd && !fileDisk)
        {
            // An RBD clone in a Ceph pool (ADR 0055): QEMU's rbd driver, its key read from a secret file.
            args.AddRange(Disks.Rbd.RbdSettings.BlockdevArguments(options, paths));
        }
        else
        {
            args.AddRange(
            [

            // The disk as two -blockdev nodes (protocol "disk0-file", format "disk0"), not -drive: a VM started to
            // receive a migration exports "disk0" over NBD for the source's blockdev-mirror, and QEMU 7.2 refuses a
            // writable export of a -drive's node while the VM waits for its state ("Block node is read-only").
            // cache.direct=off (writeback): the guest sees a volatile write cache and flushes it (ext4 does on
            // fsync and commit), so data the guest made durable is durable; unlike O_DIRECT it works on tmpfs and
            // some overlay filesystems, and the host page cache absorbs small writes to the overlay. The template
            // (backing file, opened from the qcow2 header) is only ever opened read-only.
            "-blockdev", $"driver=file,node-name={DiskFileNode},filename={Escape(paths.Disk)},cache.direct=off,discard=unmap",
            "-blockdev", $"driver=qcow2,node-name={DiskNode},file={DiskFileNode},cache.direct=off,discard=unmap",
            ]);
        }

        if (template.Boot == BootMethod.Disk)
        {
            args.AddRange(["-device", $"virtio-blk-pci,drive={DiskNode},id=virtio-disk0,bootindex=0"]);
        }
        else
        {
            // No bootindex: with -kernel, QEMU's linuxboot option ROM takes boot index 0 itself.
            args.AddRange(["-device", $"virtio-blk-pci,drive={DiskNode},id=virtio-disk0"]);
            args.AddRange(["-kernel", template.KernelPath!]);
            if (template.InitrdPath is not null)
            {
                args.AddRange(["-initrd", template.InitrdPath]);
            }

            if (!string.IsNullOrWhiteSpace(template.KernelCommandLine))
            {
                args.AddRange(["-append", template.KernelCommandLine]);
            }
        }

        if (template.CloudInit)
        {
            // The NoCloud seed (ADR 0059) as a read-only second disk, after the root disk so that stays vda. Raw, not
            // qcow2: the file is ours and tiny. The caller writes it first (CloudInitSeedWriter).
            args.AddRange(
            [
                "-blockdev", $"driver=file,node-name={SeedFileNode},filename={Escape(paths.CloudInitSeed)},read-only=on",
                "-blockdev", $"driver=raw,node-name={SeedNode},file={SeedFileNode},read-only=on",
                "-device", $"virtio-blk-pci,drive={SeedNode},id=virtio-seed0",
            ]);
        }

        for (var i = 0; i < spec.Nics.Count; i++)
        {
            var nic = spec.Nics[i];
            var index = i.ToString(CultureInfo.InvariantCulture);
            args.AddRange(
            [
                "-netdev", options.StreamMode
                    // Stream mode (ADR 0052): QEMU listens and the agent's switch connects, because QEMU 7.2 listens
                    // again when its peer goes (a restarted agent reconnects) while its client side cannot reconnect.
                    ? $"stream,id=net{index},server=on,addr.type=unix,addr.path={Escape(paths.NicSocket(nic.Id))}"
                    // script=no: we create, attach and remove the tap ourselves (TapDevices), so QEMU never runs
                    // /etc/qemu-ifup as root. vnet_hdr=off: the NIC device must be the same on a stream-mode node, whose
                    // backend has no virtio-net header, or a VM cannot move between the two modes (ADR 0052). QEMU 7.2
                    // migrates the device's vnet-header flag and the offloads it enables (a tap's default), and a
                    // stream target refuses that state ("saved image requires vnet_hdr=on"): checked on this machine.
                    : $"tap,id=net{index},ifname={TapName(nic.Id)},script=no,downscript=no,vnet_hdr=off",
                // host_mtu (QEMU >= 2.9) tells the guest driver the MTU, so it matches the bridge.
                // romfile= (empty): no iPXE option ROM, we never boot from the network.
                "-device",
                $"virtio-net-pci,netdev=net{index},id=nic{index},mac={nic.MacAddress.ToLowerInvariant()},host_mtu={nic.Mtu.ToString(CultureInfo.InvariantCulture)},romfile=",
            ]);
        }

        return args;
    }

    /// <summary>Guest RAM in MiB, rounded up (QEMU allocates whole MiB).</summary>
    public static long MemoryMiB(long bytes) => (bytes + (1024 * 1024) - 1) / (1024 * 1024);

    /// <summary>QEMU option values separate keys with ','; a literal comma is written ",,".</summary>
    internal static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    private static void Validate(VmSpec spec, TemplateFiles template)
    {
        if (!ShortId.IsValid(spec.Id))
        {
            throw new ArgumentException($"VM id '{spec.Id}' is not a 12-hex platform id.", nameof(spec));
        }

        if (string.IsNullOrWhiteSpace(spec.Name))
        {
            throw new ArgumentException("VM name is empty.", nameof(spec));
        }

        if (spec.Cpus is < 1 or > 255)
        {
            throw new ArgumentException($"VM {spec.Id}: cpus must be 1-255, not {spec.Cpus}.", nameof(spec));
        }

        if (spec.MemoryBytes < 16L * 1024 * 1024)
        {
            throw new ArgumentException($"VM {spec.Id}: memory must be at least 16 MiB.", nameof(spec));
        }

        foreach (var nic in spec.Nics)
        {
            _ = TapName(nic.Id);
            if (!MacAddressPattern().IsMatch(nic.MacAddress))
            {
                throw new ArgumentException($"NIC {nic.Id}: '{nic.MacAddress}' is not a MAC address.", nameof(spec));
            }

            // 68 is IPv4's minimum; 65535 is what virtio-net and the bridge accept at most.
            if (nic.Mtu is < 68 or > 65535)
            {
                throw new ArgumentException($"NIC {nic.Id}: MTU {nic.Mtu} is out of range.", nameof(spec));
            }
        }

        if (spec.Nics.Select(n => n.Id).Distinct(StringComparer.Ordinal).Count() != spec.Nics.Count)
        {
            throw new ArgumentException($"VM {spec.Id}: NIC ids repeat.", nameof(spec));
        }

        if (template.Boot == BootMethod.Kernel && string.IsNullOrEmpty(template.KernelPath))
        {
            throw new ArgumentException($"Template {template.Sha256} boots a kernel but has none.", nameof(template));
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacAddressPattern();
}
