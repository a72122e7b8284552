namespace SkillVL.Core.Api.Migrations;

/// <summary>A migration's state words.</summary>
public static class MigrationStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled;
}
