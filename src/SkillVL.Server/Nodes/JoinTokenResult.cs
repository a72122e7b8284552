using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Nodes;

/// <summary>A join token made, or why not: the status (400, 403, 409), the request field it is about, and the reason.</summary>
public sealed record JoinTokenResult(JoinTokenInfo? Token, int Status = 200, string? Field = null, string? Problem = null)
{
    public static JoinTokenResult Refused(int status, string field, string problem) => new(null, status, field, problem);
}
