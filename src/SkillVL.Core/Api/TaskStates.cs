namespace SkillVL.Core.Api;

public static class TaskStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsFinal(string state) => state is Succeeded or Failed;
}
