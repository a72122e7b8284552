using SkillVL.Core.Compute;
using SkillVL.Server.Data;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Tests;

public sealed class MachinePlannerTests
{
    private const string Hash = "h1";
    private const string Boot = "boot-1";

    public static TheoryData<string, string, VmPowerState?, string?, bool, string?, int, MachineAction> Cases => new()
    {
        // desired running
        { "no trace of it", MachineStates.Running, null, null, false, null, 0, MachineAction.Start },
        { "stopped", MachineStates.Running, VmPowerState.Stopped, null, false, null, 0, MachineAction.Start },
        { "failed too often", MachineStates.Running, VmPowerState.Stopped, null, false, null, 3, MachineAction.GiveUp },
        { "crashed", MachineStates.Running, VmPowerState.Crashed, null, true, Boot, 0, MachineAction.RestartAfterCrash },
        { "crashed, failing", MachineStates.Running, VmPowerState.Crashed, null, true, Boot, 3, MachineAction.ClearCrashed },
        { "guest powered off", MachineStates.Running, VmPowerState.ShutOff, Hash, true, Boot, 0, MachineAction.AcceptGuestPowerOff },
        { "old spec", MachineStates.Running, VmPowerState.Running, "old", true, Boot, 0, MachineAction.StopForRestart },
        { "booting", MachineStates.Running, VmPowerState.Running, Hash, false, null, 0, MachineAction.ConfigureGuest },
        { "rebooted since configured", MachineStates.Running, VmPowerState.Running, Hash, true, "boot-0", 0, MachineAction.ConfigureGuest },
        { "converged", MachineStates.Running, VmPowerState.Running, Hash, true, Boot, 0, MachineAction.None },
        { "paused counts as running", MachineStates.Running, VmPowerState.Paused, Hash, true, Boot, 0, MachineAction.None },
        // desired stopped
        { "stopped, no trace", MachineStates.Stopped, null, null, false, null, 0, MachineAction.EnsureDisk },
        { "stopped, stopped", MachineStates.Stopped, VmPowerState.Stopped, null, false, null, 0, MachineAction.None },
        { "stopped, running", MachineStates.Stopped, VmPowerState.Running, Hash, true, Boot, 0, MachineAction.Stop },
        { "stopped, powered off", MachineStates.Stopped, VmPowerState.ShutOff, Hash, true, Boot, 0, MachineAction.Stop },
        { "stopped, crashed", MachineStates.Stopped, VmPowerState.Crashed, null, false, null, 0, MachineAction.ClearCrashed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_ChoosesTheOneStep(
        string because, string desired, VmPowerState? state, string? specHash, bool guestReady, string? configuredBoot, int failures, MachineAction expected)
    {
        var observed = state is null ? null : new VmObservation("m1", state.Value, specHash, DateTimeOffset.UnixEpoch, Boot, null);

        var action = MachinePlanner.Plan(desired, observed, Hash, guestReady, configuredBoot, failures, maxFailures: 3);

        Assert.True(expected == action, $"{because}: expected {expected}, got {action}");
    }
}
