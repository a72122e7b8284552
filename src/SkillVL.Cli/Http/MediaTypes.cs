namespace SkillVL.Cli.Http;

internal static class MediaTypes
{
    public const string Json = "application/json";

    /// <summary>RFC 9512's registered type for YAML.</summary>
    public const string Yaml = "application/yaml";

    public const string Problem = "application/problem+json";
}
