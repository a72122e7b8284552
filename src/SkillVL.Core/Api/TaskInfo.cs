namespace SkillVL.Core.Api;

/// <summary>A long operation (like a Proxmox UPID task).</summary>
/// <param name="Kind">e.g. "room.apply", "room.delete", "machine.start".</param>
/// <param name="Target">What it acts on, e.g. "room/net-basics" or "machine/net-basics/web".</param>
/// <param name="State">"queued", "running", "succeeded", "failed".</param>
/// <param name="Progress">0..1.</param>
/// <param name="Outcome">Final message; the error when failed.</param>
public sealed record TaskInfo(
    string Id,
    string Kind,
    string Target,
    string State,
    double Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Outcome,
    IReadOnlyList<TaskLogLine> Log);
