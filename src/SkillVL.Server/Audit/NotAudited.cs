namespace SkillVL.Server.Audit;

/// <summary>
/// Endpoint metadata: a POST that changes nothing anyone could audit (an event stream ticket, which grants reading what
/// its holder may already read), so the audit log is not filled with one row per page view.
/// </summary>
public sealed class NotAudited
{
    public static readonly NotAudited Instance = new();
}
