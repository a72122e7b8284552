namespace SkillVL.Core.Migration;

/// <summary>What the engine should do next in the RAM phase (<see cref="MigrationPolicy.Decide"/>).</summary>
public enum MigrationAction
{
    /// <summary>Nothing: QEMU is converging or will switch over by itself.</summary>
    Continue,

    /// <summary>Set <c>downtime-limit</c> to <see cref="MigrationDecision.DowntimeLimit"/> (never above the user's maximum).</summary>
    RaiseDowntimeLimit,

    /// <summary>Let auto-converge throttle the guest now: lower <c>throttle-trigger-threshold</c> to QEMU's 50 %.</summary>
    Throttle,

    /// <summary>Call <c>migrate-start-postcopy</c>: the guest runs on the target, which pulls the pages it lacks.
    /// See <see cref="MigrationDecision.Risk"/>.</summary>
    SwitchToPostCopy,

    /// <summary>Cancel the migration (<c>migrate_cancel</c>); the VM keeps running on the source.</summary>
    Abort,
}
