using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Local;

/// <summary>
/// What the node does with its VMs on its own (ADR 0024): the owner's local stop and start, and the restore at agent
/// start. Every start goes through the driver's normal start path (<see cref="IVmDriver.StartAsync"/>, the call the
/// Server's reconcile makes), so whatever that path refuses — a fenced copy — is refused here too, with its reason.
/// Each action is journaled for the Server; <paramref name="journalChanged"/> lets a connected agent send it at once.
/// </summary>
/// <param name="isConnected">Whether the agent has a connection to the Server right now (journaled with each entry).</param>
public sealed partial class LocalVmControl(
    LocalNodeAgent node,
    LocalVmStore store,
    OfflineJournal journal,
    Func<bool> isConnected,
    Action journalChanged,
    ILogger<LocalVmControl> logger)
{
    public LocalVmStore Store => store;

    public async Task<IReadOnlyList<LocalVmView>> ListAsync(CancellationToken cancellationToken)
    {
        var observed = (await node.Vms.ListAsync(cancellationToken)).ToDictionary(o => o.Id, StringComparer.Ordinal);
        var views = new List<LocalVmView>();
        foreach (var record in store.All())
        {
            var state = observed.TryGetValue(record.Spec.Id, out var o) ? o.State.ToString().ToLowerInvariant() : "absent";
            views.Add(new LocalVmView(record.Spec.Room, record.Spec.Name, record.Spec.Id, state, record.ShouldRun, await IsCheckedOutAsync(record.Spec.Id, cancellationToken)));
        }

        return views;
    }

    /// <summary>Stops the VM gracefully (ACPI, then hard after the driver's timeout), as the Server's stop does. The
    /// journal entry is written first: the Server must learn that the owner meant it even if the agent dies mid-stop.</summary>
    public async Task StopAsync(LocalVmRecord vm, string by, CancellationToken cancellationToken)
    {
        journal.Append(vm.Spec.Id, vm.Spec.Name, OfflineActions.StoppedLocally, by, !isConnected());
        store.SetShouldRun(vm.Spec.Id, shouldRun: false, by);
        journalChanged();
        await node.Vms.StopAsync(vm.Spec.Id, StopMode.Graceful, TimeSpan.Zero, cancellationToken);
        Log.StoppedLocally(logger, vm.Spec.Id, vm.Spec.Name, by);
    }

    /// <summary>Starts the VM through the driver's start path. A refusal is journaled and thrown to the caller.</summary>
    public async Task StartAsync(LocalVmRecord vm, string by, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureBridgesAsync(vm.Spec, cancellationToken);
            await node.Vms.StartAsync(vm.Spec, cancellationToken);
        }
        catch (SkillVlException e)
        {
            journal.Append(vm.Spec.Id, vm.Spec.Name, OfflineActions.StartRefused, by, !isConnected(), e.Message);
            journalChanged();
            throw;
        }

        journal.Append(vm.Spec.Id, vm.Spec.Name, OfflineActions.StartedLocally, by, !isConnected());
        store.SetShouldRun(vm.Spec.Id, shouldRun: true, by);
        journalChanged();
        Log.StartedLocally(logger, vm.Spec.Id, vm.Spec.Name, by);
    }

    /// <summary>
    /// At agent start, before any connection to the Server: every VM that should run and whose QEMU is gone (killed, the
    /// machine restarted) is started again from its disk — a cold boot, the guest's memory did not survive. A VM whose
    /// QEMU is alive was re-adopted by the driver and is left alone, so there is never a second QEMU for it.
    /// </summary>
    /// <returns>The ids of the VMs started.</returns>
    public async Task<IReadOnlyList<string>> RestoreAsync(CancellationToken cancellationToken)
    {
        var observed = (await node.Vms.ListAsync(cancellationToken)).ToDictionary(o => o.Id, StringComparer.Ordinal);
        var restored = new List<string>();
        foreach (var record in store.All().Where(r => r.ShouldRun))
        {
            if (observed.TryGetValue(record.Spec.Id, out var o) && o.State is VmPowerState.Running or VmPowerState.Paused)
            {
                Log.LeftRunning(logger, record.Spec.Id, record.Spec.Name);
                continue;
            }

            try
            {
                await EnsureBridgesAsync(record.Spec, cancellationToken);
                await node.Vms.StartAsync(record.Spec, cancellationToken);
                journal.Append(record.Spec.Id, record.Spec.Name, OfflineActions.Restored, "agent", !isConnected());
                restored.Add(record.Spec.Id);
                Log.Restored(logger, record.Spec.Id, record.Spec.Name);
            }
            catch (SkillVlException e)
            {
                // One VM that cannot start (a refusal, a missing disk) must not keep the others down.
                journal.Append(record.Spec.Id, record.Spec.Name, OfflineActions.StartRefused, "agent", !isConnected(), e.Message);
                Log.RestoreFailed(logger, record.Spec.Id, record.Spec.Name, e.Message);
            }
        }

        journalChanged();
        return restored;
    }

    /// <summary>
    /// The bridge of each of the VM's networks, plain, when the node has none (after a reboot): the VM's taps need it,
    /// and VMs of one room on this node reach each other through it. The tunnel or relay to the rest of the room is the
    /// Server's to add when it is back (it ensures the network's full spec on every pass).
    /// </summary>
    private async Task EnsureBridgesAsync(VmSpec spec, CancellationToken cancellationToken)
    {
        var present = (await node.Networks.ListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var nic in spec.Nics.Where(n => !present.Contains(n.NetworkId)))
        {
            await node.Networks.EnsureAsync(new NetworkSpec(nic.NetworkId, nic.Mtu), cancellationToken);
        }
    }

    private async Task<bool> IsCheckedOutAsync(string vmId, CancellationToken cancellationToken)
    {
        if (node.Checkouts is not { } checkouts)
        {
            return false;
        }

        try
        {
            return (await checkouts.GetTrackingAsync(vmId, cancellationToken)).Tracking;
        }
        catch (SkillVlException)
        {
            return false; // no disk yet, or not readable now: not worth failing a listing for
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4100, LogLevel.Information, "VM {VmId} ({Name}) stopped locally by {By}")]
        public static partial void StoppedLocally(ILogger logger, string vmId, string name, string by);

        [LoggerMessage(4101, LogLevel.Information, "VM {VmId} ({Name}) started locally by {By}")]
        public static partial void StartedLocally(ILogger logger, string vmId, string name, string by);

        [LoggerMessage(4102, LogLevel.Information, "VM {VmId} ({Name}) restored after the agent started: cold boot from its disk")]
        public static partial void Restored(ILogger logger, string vmId, string name);

        [LoggerMessage(4103, LogLevel.Information, "VM {VmId} ({Name}) is still running: re-adopted, not restarted")]
        public static partial void LeftRunning(ILogger logger, string vmId, string name);

        [LoggerMessage(4104, LogLevel.Warning, "VM {VmId} ({Name}) could not be restored: {Reason}")]
        public static partial void RestoreFailed(ILogger logger, string vmId, string name, string reason);
    }
}
