using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tasks;

/// <summary>
/// Follows a PVE task to its end: polls <c>GET /nodes/{node}/tasks/{upid}/status</c> until <c>status</c> is
/// <c>stopped</c>, then reads the whole log (<c>/log</c>, paged). A failed task becomes a <see cref="ProxmoxException"/>
/// carrying PVE's exit status, transient when PVE's words say so (<c>clone failed: can't lock file ... got timeout</c>).
/// The node to ask is the one in the UPID: a task lives on the node that ran it.
/// </summary>
public sealed class TaskFollower(ProxmoxHttp http, TimeProvider? timeProvider = null, ILogger? logger = null)
{
    public const string StatusPath = "/nodes/{node}/tasks/{upid}/status";
    public const string LogPath = "/nodes/{node}/tasks/{upid}/log";

    /// <summary>Half a second: PVE tasks of interest here (clone, start, migrate) take seconds to minutes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly ILogger log = logger ?? NullLogger.Instance;

    /// <summary>Waits for the task; returns its outcome when it succeeded, throws when it failed or <paramref name="timeout"/> passed.</summary>
    public async Task<TaskOutcome> WaitAsync(Upid upid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upid);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var status = await http.SendAsync(HttpMethod.Get, StatusPath, [upid.Node, upid.Text], null, cancellationToken).ConfigureAwait(false);
            if (PveJson.String(status, "status") == "stopped")
            {
                var exitStatus = PveJson.String(status, "exitstatus") ?? "unknown";
                var lines = await ReadLogAsync(upid, cancellationToken).ConfigureAwait(false);
                ProxmoxLog.TaskEnded(log, http.Cluster.Name, upid.Text, exitStatus);
                var outcome = new TaskOutcome(upid, exitStatus, lines);
                if (!outcome.Succeeded)
                {
                    throw new ProxmoxException(
                        http.Cluster.Name, $"task {upid.Type} {upid.Id} on {upid.Node}", null, exitStatus,
                        isTransient: TransientErrors.IsTransient(500, exitStatus));
                }

                return outcome;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new ProxmoxException(
                    http.Cluster.Name, $"task {upid.Type} {upid.Id} on {upid.Node}", null,
                    $"still running after {timeout.TotalSeconds:0} s ({upid.Text})", isTransient: true);
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The task's log lines, all pages (PVE returns 50 lines unless asked for more).</summary>
    public async Task<IReadOnlyList<string>> ReadLogAsync(Upid upid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upid);
        const int page = 500;
        var lines = new List<string>();
        while (true)
        {
            var parameters = new PveParameters().Add("start", (long)lines.Count).Add("limit", (long)page);
            var answer = await http.SendAsync(HttpMethod.Get, LogPath, [upid.Node, upid.Text], parameters, cancellationToken).ConfigureAwait(false);
            var chunk = answer.ValueKind == JsonValueKind.Array
                ? answer.EnumerateArray().Select(l => PveJson.String(l, "t") ?? "").ToList()
                : [];
            lines.AddRange(chunk);
            if (chunk.Count < page)
            {
                return lines;
            }
        }
    }
}
