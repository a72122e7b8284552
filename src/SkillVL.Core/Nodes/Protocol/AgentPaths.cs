namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The Server's routes for agents (not under /api: they authenticate with node credentials).</summary>
public static class AgentPaths
{
    public const string Enrol = "/agent/v1/enrol";
    public const string Connect = "/agent/v1/connect";

    /// <summary>Where an agent connects a console it was asked to open (one WebSocket per session).</summary>
    public static string ConsoleRelay(string session) => $"/agent/v1/console/{session}";

    /// <summary>Where an agent sends a fenced disk it was asked for (one WebSocket per download, ADR 0044).</summary>
    public static string DiskRelay(string session) => $"/agent/v1/disk/{session}";

    /// <summary>A file of a stored template ("template.json" or one it lists), for nodes that lack it.</summary>
    public static string TemplateFile(string sha256, string file) => $"/agent/v1/templates/{sha256}/{file}";
}
