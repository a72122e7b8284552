using SkillVL.Core.Compute;
using SkillVL.Server.Data;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// Pure decision of what to do with one machine, from desired and observed state (level-triggered: the
/// same inputs always give the same step). Tested with tables in SkillVL.Server.Tests.
/// </summary>
public static class MachinePlanner
{
    /// <param name="desiredState"><see cref="MachineStates.Running"/> or <see cref="MachineStates.Stopped"/>.</param>
    /// <param name="observed">What the node reports, or null when the node has no trace of the VM.</param>
    /// <param name="desiredSpecHash">Hash of the spec the machine should run with.</param>
    /// <param name="guestConfiguredForBoot">The boot id the room's addresses were last applied for.</param>
    /// <param name="consecutiveFailures">Failed starts in a row.</param>
    /// <param name="maxFailures">After this many, stop trying until the user asks again.</param>
    public static MachineAction Plan(
        string desiredState,
        VmObservation? observed,
        string desiredSpecHash,
        bool guestReady,
        string? guestConfiguredForBoot,
        int consecutiveFailures,
        int maxFailures)
    {
        var state = observed?.State;
        if (desiredState == MachineStates.Running)
        {
            return state switch
            {
                null or VmPowerState.Stopped when consecutiveFailures >= maxFailures => MachineAction.GiveUp,
                null or VmPowerState.Stopped => MachineAction.Start,
                VmPowerState.Crashed when consecutiveFailures >= maxFailures => MachineAction.ClearCrashed,
                VmPowerState.Crashed => MachineAction.RestartAfterCrash,
                VmPowerState.ShutOff => MachineAction.AcceptGuestPowerOff,
                _ when observed!.SpecHash != desiredSpecHash => MachineAction.StopForRestart,
                _ when !guestReady || guestConfiguredForBoot != observed!.BootId => MachineAction.ConfigureGuest,
                _ => MachineAction.None,
            };
        }

        return state switch
        {
            null => MachineAction.EnsureDisk,
            VmPowerState.Stopped => MachineAction.None,
            VmPowerState.Crashed => MachineAction.ClearCrashed,
            _ => MachineAction.Stop,
        };
    }
}
