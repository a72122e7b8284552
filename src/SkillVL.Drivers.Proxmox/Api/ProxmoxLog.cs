using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>The Proxmox driver's log messages (event ids 2500-2599). Never a secret, never parameter values.</summary>
internal static partial class ProxmoxLog
{
    [LoggerMessage(EventId = 2500, Level = LogLevel.Debug, Message = "Proxmox {Cluster}: {Method} {Path} -> {Status} in {Milliseconds} ms")]
    public static partial void Answered(ILogger logger, string cluster, string method, string path, int status, long milliseconds);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Proxmox {Cluster}: {Method} {Path} failed: {Message}")]
    public static partial void Failed(ILogger logger, string cluster, string method, string path, string message);

    [LoggerMessage(EventId = 2510, Level = LogLevel.Information, Message = "Proxmox {Cluster}: task {Upid} ended: {ExitStatus}")]
    public static partial void TaskEnded(ILogger logger, string cluster, string upid, string exitStatus);
}
