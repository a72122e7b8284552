using System.Diagnostics;
using Microsoft.Extensions.Options;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Reconciliation;

/// <summary>Carries out the step <see cref="MachinePlanner"/> chose for one machine on its node.</summary>
public sealed class MachineReconciler(IOptions<SkillVlServerOptions> options, Templates.TemplateHealth templateHealth, TimeProvider time)
{
    /// <summary>How long one guest-agent ping may take inside a pass; a booting guest just answers later.</summary>
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Bound for the address script; it runs a handful of `ip` commands.</summary>
    private static readonly TimeSpan ConfigureTimeout = TimeSpan.FromSeconds(20);

    public async Task<MachineOutcome> ReconcileAsync(
        INodeAgent node,
        MachineEntity machine,
        VmSpec spec,
        VmObservation? observed,
        CancellationToken cancellationToken,
        (string? Gateway, string? NameServer) routing = default)
    {
        var settings = options.Value;
        var action = MachinePlanner.Plan(
            machine.DesiredState, observed, spec.SpecHash, machine.GuestReady, machine.ConfiguredBootId,
            machine.ConsecutiveFailures, settings.MaxStartFailures);
        var events = new List<string>();
        var current = Current(machine, observed);
        if (action is MachineAction.Start or MachineAction.RestartAfterCrash or MachineAction.EnsureDisk
            && templateHealth.Problem(machine.TemplateSha256) is { } unusable)
        {
            // Issue 11: a template stored by an older version failed the start-up inspection (e.g. its disk names a host
            // file as backing file). The node is not asked: counted as a failed start, so the machine ends in error.
            var error = $"template '{machine.TemplateName}' ({machine.TemplateSha256[..12]}) is unusable: its {unusable}";
            events.Add($"{machine.Name}: {Describe(action)} refused: {error}");
            return current with { Failed = true, Error = error, Events = events };
        }

        try
        {
            switch (action)
            {
                case MachineAction.None:
                    return current with { Events = events };

                case MachineAction.Start:
                case MachineAction.RestartAfterCrash:
                    if (action == MachineAction.RestartAfterCrash)
                    {
                        events.Add($"{machine.Name}: QEMU process ended unexpectedly; starting it again.");
                    }

                    var started = Stopwatch.StartNew();
                    // Bridges exist: the pass ensures every wanted network before it schedules machines.
                    await node.Vms.EnsureDiskAsync(spec, cancellationToken);
                    await node.Vms.StartAsync(spec, cancellationToken);
                    events.Add($"{machine.Name}: VM started on node {node.Facts.Name} in {started.Elapsed.TotalSeconds:0.0} s; waiting for its guest agent.");
                    return current with
                    {
                        ObservedState = MachineStates.Starting,
                        ObservedSpecHash = spec.SpecHash,
                        GuestReady = false,
                        Error = action == MachineAction.RestartAfterCrash
                            ? $"QEMU process ended unexpectedly at {time.GetUtcNow():u}; restarted."
                            : null,
                        Events = events,
                    };

                case MachineAction.StopForRestart:
                    await node.Vms.StopAsync(machine.Id, StopMode.Graceful, settings.GracefulStopTimeout, cancellationToken);
                    events.Add($"{machine.Name}: stopped to apply a changed spec or a restart request.");
                    return current with { ObservedState = MachineStates.Stopped, ObservedSpecHash = null, GuestReady = false, Events = events };

                case MachineAction.Stop:
                    await node.Vms.StopAsync(machine.Id, StopMode.Graceful, settings.GracefulStopTimeout, cancellationToken);
                    events.Add($"{machine.Name}: stopped.");
                    return current with { ObservedState = MachineStates.Stopped, ObservedSpecHash = null, GuestReady = false, Events = events };

                case MachineAction.AcceptGuestPowerOff:
                    await node.Vms.StopAsync(machine.Id, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                    events.Add($"{machine.Name}: the guest powered itself off; the machine is now stopped (start it to run it again).");
                    return current with
                    {
                        ObservedState = MachineStates.Stopped,
                        ObservedSpecHash = null,
                        GuestReady = false,
                        DesiredStateOverride = MachineStates.Stopped,
                        Events = events,
                    };

                case MachineAction.ClearCrashed:
                    await node.Vms.StopAsync(machine.Id, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                    return current with { ObservedState = machine.DesiredState == MachineStates.Running ? MachineStates.Error : MachineStates.Stopped, ObservedSpecHash = null, GuestReady = false, Events = events };

                case MachineAction.ConfigureGuest:
                    return await ConfigureGuestAsync(node, machine, spec, observed!, routing, current, events, cancellationToken);

                case MachineAction.EnsureDisk:
                    await node.Vms.EnsureDiskAsync(spec, cancellationToken);
                    return current with { ObservedState = MachineStates.Stopped, Events = events };

                case MachineAction.GiveUp:
                    return current with { ObservedState = MachineStates.Error, Events = events };

                default:
                    throw new UnreachableException($"Unhandled action {action}.");
            }
        }
        catch (SkillVlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failed = action is MachineAction.Start or MachineAction.RestartAfterCrash;
            events.Add($"{machine.Name}: {Describe(action)} failed: {ex.Message}");
            return current with { Failed = failed, Error = ex.Message, Events = events };
        }
    }

    private static async Task<MachineOutcome> ConfigureGuestAsync(
        INodeAgent node,
        MachineEntity machine,
        VmSpec spec,
        VmObservation observed,
        (string? Gateway, string? NameServer) routing,
        MachineOutcome current,
        List<string> events,
        CancellationToken cancellationToken)
    {
        if (!await node.Vms.GuestPingAsync(machine.Id, PingTimeout, cancellationToken))
        {
            return current with { Events = events };
        }

        var result = await node.Vms.GuestExecAsync(
            machine.Id, GuestNetworkScript.Command(machine.Name, spec.Nics, routing.Gateway, routing.NameServer), ConfigureTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            var error = $"applying addresses in the guest failed (exit {result.ExitCode}): {result.Stderr.Trim()}";
            events.Add($"{machine.Name}: {error}");
            return current with { Error = error, Events = events };
        }

        var addresses = spec.Nics.Count == 0
            ? "no NICs"
            : string.Join(", ", spec.Nics.Select(n => n.IpAddress ?? "(no address)"));
        events.Add($"{machine.Name}: guest agent answered; addresses applied ({addresses}).");
        return current with
        {
            ObservedState = MachineStates.Running,
            GuestReady = true,
            ConfiguredBootId = observed.BootId,
            Events = events,
        };
    }

    private static MachineOutcome Current(MachineEntity machine, VmObservation? observed)
    {
        var state = observed?.State switch
        {
            VmPowerState.Running or VmPowerState.Paused => machine.GuestReady ? MachineStates.Running : MachineStates.Starting,
            VmPowerState.ShutOff => MachineStates.Stopping,
            VmPowerState.Crashed => MachineStates.Crashed,
            _ => MachineStates.Stopped,
        };
        var bootChanged = observed?.BootId != machine.ConfiguredBootId;
        return new MachineOutcome(
            state,
            observed?.SpecHash,
            machine.GuestReady && !bootChanged,
            machine.ConfiguredBootId,
            null,
            false,
            machine.LastError,
            []);
    }

    private static string Describe(MachineAction action) => action switch
    {
        MachineAction.Start or MachineAction.RestartAfterCrash => "start",
        MachineAction.Stop or MachineAction.StopForRestart => "stop",
        MachineAction.ConfigureGuest => "guest configuration",
        MachineAction.EnsureDisk => "disk creation",
        _ => action.ToString(),
    };
}
