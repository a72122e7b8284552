namespace SkillVL.Core.Api.Migrations;

/// <summary>The engine's phases, in order (docs/adr/0012-migration-engine.md); each has its own cleanup.</summary>
public static class MigrationPhases
{
    public const string Pending = "pending";
    public const string Prepare = "prepare";
    public const string TransferDisk = "transfer-disk";
    public const string LiveCopyRam = "live-copy-ram";
    public const string SwitchOver = "switch-over";
    public const string Finalize = "finalize";
    public const string Done = "done";
}
