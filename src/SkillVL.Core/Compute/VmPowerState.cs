namespace SkillVL.Core.Compute;

/// <summary>What a node observes of one VM.</summary>
public enum VmPowerState
{
    /// <summary>The VM exists (disk) but no process runs, and it was stopped on purpose or by the guest.</summary>
    Stopped,

    /// <summary>The process runs and the guest executes.</summary>
    Running,

    /// <summary>The process runs but the guest is paused (e.g. during migration switch-over).</summary>
    Paused,

    /// <summary>The guest powered itself off; the process still holds its state until the node quits it.</summary>
    ShutOff,

    /// <summary>The process died without being asked to (SIGKILL, OOM, QEMU crash).</summary>
    Crashed,
}
