namespace SkillVL.Core.Api.Identity;

public static class ApiTokenScopes
{
    /// <summary>Reading only: GET and HEAD.</summary>
    public const string Read = "read";

    /// <summary>Everything the user's role allows.</summary>
    public const string Write = "write";

    public static readonly IReadOnlyList<string> All = [Read, Write];
}
