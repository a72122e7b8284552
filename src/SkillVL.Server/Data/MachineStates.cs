namespace SkillVL.Server.Data;

/// <summary>Machine state words as the API shows them.</summary>
public static class MachineStates
{
    public const string Stopped = "stopped";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Crashed = "crashed";
    public const string Error = "error";

    /// <summary>A migration to another node runs; the reconciler leaves the machine alone until it ends.</summary>
    public const string Migrating = "migrating";
}
