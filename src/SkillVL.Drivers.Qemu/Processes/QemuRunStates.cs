using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>Maps QEMU's RunState (qapi/run-state.json, as query-status reports it) to our power states.</summary>
public static class QemuRunStates
{
    public static VmPowerState ToPowerState(string status) => status switch
    {
        "running" => VmPowerState.Running,
        // With -no-shutdown a guest poweroff leaves the process in "shutdown": the guest is off, QEMU lives on.
        "shutdown" => VmPowerState.ShutOff,
        // The process lives but the VM cannot go on.
        "internal-error" or "guest-panicked" => VmPowerState.Crashed,
        // paused, inmigrate, postmigrate, prelaunch, finish-migrate, save-vm, restore-vm, suspended, io-error,
        // watchdog, debug, colo: vCPUs do not run, and the VM can be resumed or migrated.
        _ => VmPowerState.Paused,
    };
}
