namespace SkillVL.Core.Compute;

/// <summary>
/// Runs VMs on one node. All operations are idempotent and converge: calling Start on a running VM with
/// the same spec does nothing. See docs/driver-contract.md for how each maps to QEMU and to Proxmox VE.
/// </summary>
public interface IVmDriver
{
    DriverCapabilities Capabilities { get; }

    /// <summary>Every VM this node holds for this SkillVL instance (running or not), for reconciling and orphan sweeps.</summary>
    Task<IReadOnlyList<VmObservation>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates the VM's disk as a linked clone of its template, if it does not exist yet.</summary>
    Task EnsureDiskAsync(VmSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts the VM (creating taps as needed) if it does not run.</summary>
    Task StartAsync(VmSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops the VM; Graceful waits up to <paramref name="gracefulTimeout"/> for the guest before a hard stop.</summary>
    Task StopAsync(string vmId, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken);

    /// <summary>Hardware reset of a running VM.</summary>
    Task ResetAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Removes the VM entirely: process, taps, disk and runtime files. Idempotent.</summary>
    Task DeleteAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>True when the guest agent answers within <paramref name="timeout"/>.</summary>
    Task<bool> GuestPingAsync(string vmId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Runs a program in the guest and waits for it, at most <paramref name="timeout"/>.</summary>
    Task<GuestExecResult> GuestExecAsync(
        string vmId,
        IReadOnlyList<string> command,
        TimeSpan timeout,
        CancellationToken cancellationToken);
}
