using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu;

/// <summary>
/// Every log line of the QEMU driver, source-generated (no interpolated messages). Event ids 1000-1999:
/// 1000 VM driver, 1100 QMP, 1200 guest agent, 1300 processes, 1400 disks, 1500 templates, 1600 networking,
/// 1700 accelerators, 1800 confinement.
/// </summary>
internal static partial class QemuDriverLog
{
    private static readonly Func<ILogger, string, string, IDisposable?> VmOperationScope =
        LoggerMessage.DefineScope<string, string>("{Operation} of VM {VmId}");

    /// <summary>A scope around one operation on one VM, so every line logged inside (QMP, ip, qemu-img) names it.</summary>
    public static IDisposable? BeginVmOperation(this ILogger logger, string operation, string vmId) =>
        VmOperationScope(logger, operation, vmId);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Starting VM {VmId} under {Accelerator}")]
    public static partial void VmStarting(this ILogger logger, string vmId, string accelerator);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "VM {VmId} started (boot {BootId}) in {ElapsedMs} ms")]
    public static partial void VmStarted(this ILogger logger, string vmId, string bootId, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "VM {VmId} is already {State}; start does nothing")]
    public static partial void VmAlreadyRunning(this ILogger logger, string vmId, VmPowerState state);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Stopping VM {VmId} ({Mode})")]
    public static partial void VmStopping(this ILogger logger, string vmId, StopMode mode);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "VM {VmId} stopped")]
    public static partial void VmStopped(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "VM {VmId} deleted")]
    public static partial void VmDeleted(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "VM {VmId} reset")]
    public static partial void VmReset(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "VM {VmId} did not power off within {TimeoutSeconds} s of the ACPI power button; stopping it hard")]
    public static partial void GracefulStopTimedOut(this ILogger logger, string vmId, double timeoutSeconds);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "VM {VmId} was powered off by its guest; quitting its QEMU process")]
    public static partial void VmShutOffQuit(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "VM {VmId} had crashed; cleaned its runtime files before starting it again")]
    public static partial void StaleCrashedVmCleaned(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Removed orphan tap {Tap} of this instance")]
    public static partial void OrphanTapRemoved(this ILogger logger, string tap);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "QMP connected to {SocketPath}")]
    public static partial void QmpConnected(this ILogger logger, string socketPath);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "QMP connection to {SocketPath} closed")]
    public static partial void QmpDisconnected(this ILogger logger, string socketPath);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Trace, Message = "QMP command {Command} sent as id {Id}")]
    public static partial void QmpCommandSent(this ILogger logger, string command, string id);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "QMP event {Event}")]
    public static partial void QmpEventReceived(this ILogger logger, string @event);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "QMP at {SocketPath} sent a line that is not a JSON object: {Line}")]
    public static partial void QmpUnparsableLine(this ILogger logger, string socketPath, string line);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "QMP at {SocketPath} sent a reply nobody waits for: {Line}")]
    public static partial void QmpUnmatchedReply(this ILogger logger, string socketPath, string line);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "guest-exec {Program} started as guest pid {GuestPid}")]
    public static partial void GuestExecStarted(this ILogger logger, string program, long guestPid);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Running {Command}")]
    public static partial void CommandStarting(this ILogger logger, string command);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "{Command} exited with {ExitCode} after {Elapsed}")]
    public static partial void CommandFinished(this ILogger logger, string command, int exitCode, TimeSpan elapsed);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "QEMU of VM {VmId} runs as pid {Pid}")]
    public static partial void QemuLaunched(this ILogger logger, string vmId, int pid);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "QEMU of VM {VmId} (pid {Pid}) did not exit after quit; killed it")]
    public static partial void QemuKilled(this ILogger logger, string vmId, int pid);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "QEMU of VM {VmId} runs but its status could not be read: {Reason}")]
    public static partial void QemuStatusUnknown(this ILogger logger, string vmId, string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "QMP quit of VM {VmId} did not complete cleanly: {Reason}")]
    public static partial void QemuQuitFailed(this ILogger logger, string vmId, string reason);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Created disk {Disk} backed by {BackingFile}")]
    public static partial void DiskCreated(this ILogger logger, string disk, string backingFile);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Deleted disk {Disk}")]
    public static partial void DiskDeleted(this ILogger logger, string disk);

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Imported template {Name} as {Sha256}")]
    public static partial void TemplateImported(this ILogger logger, string name, string sha256);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Debug, Message = "Template {Name} ({Sha256}) is already in the store")]
    public static partial void TemplateAlreadyPresent(this ILogger logger, string name, string sha256);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Template disk {Disk} refused: it {Problem}")]
    public static partial void TemplateDiskRefused(this ILogger logger, string disk, string problem);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Deleted template {Sha256} from the store")]
    public static partial void TemplateDeleted(this ILogger logger, string sha256);

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Created bridge {Bridge} (MTU {Mtu})")]
    public static partial void BridgeCreated(this ILogger logger, string bridge, int mtu);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Deleted bridge {Bridge}")]
    public static partial void BridgeDeleted(this ILogger logger, string bridge);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Debug, Message = "Tap {Tap} attached to {Bridge}")]
    public static partial void TapCreated(this ILogger logger, string tap, string bridge);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Debug, Message = "Deleted tap {Tap}")]
    public static partial void TapDeleted(this ILogger logger, string tap);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "Interface {Interface} exists but belongs to {Alias}, not to this instance")]
    public static partial void InterfaceOfOtherOwner(this ILogger logger, string @interface, string alias);

    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Accelerator forced to {Accelerator} by configuration")]
    public static partial void AcceleratorForced(this ILogger logger, string accelerator);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Debug, Message = "Accelerator {Accelerator} from the probe cache (QEMU {QemuVersion})")]
    public static partial void AcceleratorCached(this ILogger logger, string accelerator, string qemuVersion);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Probing KVM with a test boot of kernel {KernelSha256}")]
    public static partial void AcceleratorProbing(this ILogger logger, string kernelSha256);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Accelerator probe chose {Accelerator} after {Elapsed}")]
    public static partial void AcceleratorProbed(this ILogger logger, string accelerator, TimeSpan elapsed);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "/dev/kvm is missing; using TCG")]
    public static partial void KvmMissing(this ILogger logger);

    [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "KVM probe boot failed: {Reason}")]
    public static partial void KvmProbeFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "QEMU runs as {User} (uid {Uid}, gid {Gid}), seccomp sandbox {Sandbox}")]
    public static partial void QemuConfined(this ILogger logger, string user, int uid, int gid, bool sandbox);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Created the system user {User} for QEMU")]
    public static partial void QemuUserCreated(this ILogger logger, string user);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "{Device} was root-only; gave the group of {User} read-write on it")]
    public static partial void QemuDeviceOpened(this ILogger logger, string device, string user);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "{Device} is not usable by {User} and belongs to another group; QEMU may fail to open it")]
    public static partial void QemuDeviceClosed(this ILogger logger, string device, string user);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Warning, Message = "{Path} is closed to {User} and belongs to another group; left as it is")]
    public static partial void QemuPathClosed(this ILogger logger, string path, string user);
}
