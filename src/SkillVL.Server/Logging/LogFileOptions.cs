namespace SkillVL.Server.Logging;

/// <summary>
/// The Server's own log file (section "SkillVL:LogFile"), written with size-capped rotation instead of a shell
/// redirect that grows forever (issue 11 finding 4). Mode 0600 in a 0700 directory: it is redacted, but still nobody
/// else's business.
/// </summary>
public sealed class LogFileOptions
{
    /// <summary>The file; empty: &lt;DataDirectory&gt;/logs/server.log; "none": no log file (stdout only).</summary>
    public string Path { get; set; } = "";

    /// <summary>A file is rotated when the next record would take it past this. Default 10 MiB.</summary>
    public long MaxFileBytes { get; set; } = 10L << 20;

    /// <summary>Files kept, the current one included (server.log, server.log.1 … .N-1). Default 5, so at most 50 MiB.</summary>
    public int MaxFiles { get; set; } = 5;

    /// <summary>The file in effect, or null for none.</summary>
    public string? PathFor(string dataDirectory) => Path switch
    {
        "none" => null,
        "" => System.IO.Path.Combine(dataDirectory, "logs", "server.log"),
        _ => Path,
    };
}
