namespace SkillVL.Server.Reconciliation;

/// <summary>The one step the reconciler takes for a machine in a pass.</summary>
public enum MachineAction
{
    /// <summary>Converged; nothing to do.</summary>
    None,

    /// <summary>Create the disk if missing and start the VM.</summary>
    Start,

    /// <summary>Crashed while it should run: start it again (and say so).</summary>
    RestartAfterCrash,

    /// <summary>Running with an outdated spec (or a restart was asked): stop it; the next pass starts it.</summary>
    StopForRestart,

    /// <summary>Should not run: stop it gracefully.</summary>
    Stop,

    /// <summary>The guest powered itself off: release the process and record the machine as stopped.</summary>
    AcceptGuestPowerOff,

    /// <summary>Crashed while it should be stopped: clear the leftovers.</summary>
    ClearCrashed,

    /// <summary>Running but the room's addresses are not applied for this boot: ping the agent, apply them.</summary>
    ConfigureGuest,

    /// <summary>Should be stopped and is: make sure its disk exists so a later start is quick.</summary>
    EnsureDisk,

    /// <summary>Too many failed starts in a row: wait for the user to start it again.</summary>
    GiveUp,
}
