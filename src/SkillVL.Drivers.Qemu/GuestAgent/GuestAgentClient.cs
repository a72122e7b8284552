using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.GuestAgent;

/// <summary>
/// Talks to qemu-ga in one VM over its virtio-serial unix socket. Each operation opens its own connection
/// and synchronises first (as Proxmox qemu-server does), so a SkillVL restart or an abandoned command never
/// leaves a stale reply for the next caller. The channel is a single stream, so operations on one VM run one
/// at a time.
/// </summary>
public sealed class GuestAgentClient : IDisposable
{
    /// <summary>First and longest pause between guest-exec-status polls: short commands finish fast, long ones should not spin.</summary>
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>guest-shutdown usually gets no reply (the agent dies with the guest); wait this long for an error reply only.</summary>
    private static readonly TimeSpan ShutdownReplyWait = TimeSpan.FromSeconds(1);

    private readonly string _socketPath;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public GuestAgentClient(string socketPath, TimeProvider timeProvider, ILogger logger)
    {
        _socketPath = socketPath;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Returns when the agent answered guest-ping; <see cref="GuestAgentUnavailableException"/> when it did not within <paramref name="timeout"/>.</summary>
    public Task PingAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("guest-ping", timeout, async (session, ct) =>
        {
            await session.ExecuteAsync("guest-ping", null, ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> (program, then its arguments; the agent searches PATH) and waits for it,
    /// at most <paramref name="timeout"/>. A program the agent cannot start yields exit code 127 with the
    /// agent's message on stderr, as a shell would. A program still running at the timeout is killed in the guest
    /// (issue 11, finding 10: it used to keep running, a busy loop kept a host CPU busy), and the result says so
    /// (<see cref="GuestExecResult.TimedOut"/>, exit code 137) with what it wrote until then. Each stream is cut at
    /// <see cref="MaxStreamBytes"/> (qemu-ga itself keeps up to 16 MiB), with <see cref="GuestExecResult.OutputTruncated"/>.
    /// </summary>
    public async Task<GuestExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }

        // The run's own session ends at the timeout (its last reply may be half read); the kill gets a fresh one.
        var (pid, status) = await RunAsync("guest-exec", timeout + KillBudget, async (session, ct) =>
        {
            var arguments = new JsonObject
            {
                ["path"] = command[0],
                ["arg"] = new JsonArray(command.Skip(1).Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
                ["capture-output"] = true,
            };
            long pid;
            try
            {
                var started = await session.ExecuteAsync("guest-exec", arguments, ct);
                pid = started?["pid"]?.GetValue<long>() ?? throw new GuestAgentUnavailableException("guest-exec answered without a pid.");
            }
            catch (GuestAgentCommandException e)
            {
                return (0L, new JsonObject { ["exited"] = true, ["exitcode"] = 127, ["err-data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(e.Description)) });
            }

            _logger.GuestExecStarted(command[0], pid);
            using var deadline = new CancellationTokenSource(timeout, _timeProvider);
            using var polling = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            try
            {
                return (pid, await PollUntilExitedAsync(session, pid, polling.Token));
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return (pid, (JsonObject?)null);
            }
        }, cancellationToken);
        if (status is not null)
        {
            return ToResult(status);
        }

        var killed = await RunAsync("guest-exec kill", KillBudget, async (session, ct) =>
        {
            await KillAsync(session, pid, ct);
            return await PollUntilExitedAsync(session, pid, ct);
        }, cancellationToken);
        return ToResult(killed) with { TimedOut = true };
    }

    /// <summary>Largest output kept per stream: enough for any answer a person reads; qemu-ga's own cap is 16 MiB.</summary>
    public const int MaxStreamBytes = 1 << 20;

    /// <summary>Base64 characters that decode to <see cref="MaxStreamBytes"/>, rounded up to whole 4-character groups.</summary>
    private const int StreamPrefixChars = (MaxStreamBytes + 2) / 3 * 4;

    /// <summary>
    /// What the session keeps of each guest-exec-status string: one group past <see cref="StreamPrefixChars"/>, so that a
    /// longer stream still shows as longer than the cap. Design (a) of the issue, a bounded read of the agent's own capture,
    /// rather than redirecting to files in the guest: it behaves the same on every guest and needs no /bin/sh there.
    /// </summary>
    internal const int StatusStringBytes = StreamPrefixChars + 4;

    /// <summary>How long killing a timed-out program and collecting its status may take.</summary>
    private static readonly TimeSpan KillBudget = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Kills the process $0 and all its descendants: each is stopped first so it cannot fork past the walk, then all
    /// get SIGKILL. Descendants come from /proc/PID/stat's parent field (after the last ") ", as the command name may
    /// hold spaces and parentheses), with shell built-ins only: busybox (the tiny guest's) has no pkill or pgrep, and
    /// a fork per process would be slow on a guest under TCG.
    /// </summary>
    private const string KillTreeScript =
        """
        t=$0; kill -STOP "$t" 2>/dev/null; all=$t; new=$t
        while [ -n "$new" ]; do
          next=
          for d in /proc/[0-9]*; do
            read -r s < "$d/stat" 2>/dev/null || continue
            s=${s##*) }; set -- $s
            for p in $new; do
              if [ "$2" = "$p" ]; then kill -STOP "${d#/proc/}" 2>/dev/null; next="$next ${d#/proc/}"; fi
            done
          done
          all="$all$next"; new=$next
        done
        kill -9 $all
        """;

    /// <summary>
    /// qemu-ga has no command to kill what guest-exec started (guests carry agents older than any that might), so
    /// another guest-exec does: <see cref="KillTreeScript"/> through /bin/sh, or kill(1) on the program alone when the
    /// guest has no /bin/sh. The tree matters: qemu-ga reports the program exited only once every process holding its
    /// output pipes is gone, and a busy child left behind would keep the CPU busy just the same.
    /// </summary>
    private async Task KillAsync(GuestAgentSession session, long pid, CancellationToken cancellationToken)
    {
        var target = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var killer = new JsonObject
        {
            ["path"] = "/bin/sh",
            ["arg"] = new JsonArray("-c", KillTreeScript, target),
            ["capture-output"] = true,
        };
        long killerPid;
        try
        {
            killerPid = (await session.ExecuteAsync("guest-exec", killer, cancellationToken))?["pid"]?.GetValue<long>() ?? 0;
        }
        catch (GuestAgentCommandException)
        {
            // No /bin/sh: kill(1) alone, from PATH.
            killer["path"] = "kill";
            killer["arg"] = new JsonArray("-9", target);
            killerPid = (await session.ExecuteAsync("guest-exec", killer, cancellationToken))?["pid"]?.GetValue<long>() ?? 0;
        }

        if (killerPid != 0)
        {
            await PollUntilExitedAsync(session, killerPid, cancellationToken);
        }
    }

    private async Task<JsonObject> PollUntilExitedAsync(GuestAgentSession session, long pid, CancellationToken cancellationToken)
    {
        var pause = FirstPoll;
        while (true)
        {
            // The session keeps only StatusStringBytes of each stream's base64 (issue 11, finding 10: the whole reply
            // could be 2 x 16 MiB of output); Decode sees the longer-than-the-cap string and flags the cut.
            var status = await session.ExecuteAsync(
                    "guest-exec-status", new JsonObject { ["pid"] = pid }, cancellationToken, StatusStringBytes) as JsonObject
                ?? throw new GuestAgentUnavailableException("guest-exec-status answered without a status.");
            if (status["exited"]?.GetValue<bool>() == true)
            {
                return status;
            }

            await Task.Delay(pause, _timeProvider, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPoll.Ticks));
        }
    }

    /// <summary>
    /// Asks the guest to power off (guest-shutdown, mode powerdown). The agent normally dies before it can
    /// answer, so a closed channel or no reply counts as sent; only an error reply throws.
    /// </summary>
    public Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("guest-shutdown", timeout, async (session, ct) =>
        {
            await session.SendAsync("guest-shutdown", new JsonObject { ["mode"] = "powerdown" }, ct);
            using var wait = new CancellationTokenSource(ShutdownReplyWait, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, wait.Token);
            try
            {
                var reply = await session.ReadMessageAsync(linked.Token);
                if (reply["error"] is JsonObject error)
                {
                    throw new GuestAgentCommandException(
                        "guest-shutdown", error["class"]?.ToString() ?? "GenericError", error["desc"]?.ToString() ?? "");
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // No reply: expected.
            }
            catch (EndOfStreamException)
            {
                // The agent went away with the guest: expected.
            }

            return true;
        }, cancellationToken);

    public void Dispose() => _oneAtATime.Dispose();

    internal static GuestExecResult ToResult(JsonObject status)
    {
        var exitCode = status["exitcode"]?.GetValue<int>() ?? 0;
        if (status["signal"] is JsonValue signal && signal.TryGetValue(out int signalNumber))
        {
            // Killed by a signal: report it the way a shell does.
            exitCode = 128 + signalNumber;
        }

        var (stdout, outCut) = Decode(status["out-data"]);
        var (stderr, errCut) = Decode(status["err-data"]);
        var truncated = outCut || errCut || status["out-truncated"]?.GetValue<bool>() == true || status["err-truncated"]?.GetValue<bool>() == true;
        return new GuestExecResult(exitCode, stdout, stderr, truncated);
    }

    /// <summary>The first <see cref="MaxStreamBytes"/> of a base64 stream, decoded from its prefix only (no 16 MiB copy).</summary>
    private static (string Text, bool Cut) Decode(JsonNode? base64)
    {
        if (base64 is null)
        {
            return ("", false);
        }

        var encoded = base64.GetValue<string>();
        // 4 base64 characters carry 3 bytes: this prefix decodes to exactly MaxStreamBytes (a multiple of 3 plus 1 is
        // rounded down to whole groups, so take the groups that cover the cap and trim the bytes). A length that is not
        // whole groups can only be a string the session cut: keep its whole groups.
        var prefixChars = Math.Min(StreamPrefixChars, encoded.Length / 4 * 4);
        if (encoded.Length == prefixChars)
        {
            var all = Convert.FromBase64String(encoded);
            return all.Length <= MaxStreamBytes ? (Encoding.UTF8.GetString(all), false) : (Encoding.UTF8.GetString(all, 0, MaxStreamBytes), true);
        }

        var bytes = Convert.FromBase64String(encoded[..prefixChars]);
        return (Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxStreamBytes)), true);
    }

    private async Task<T> RunAsync<T>(
        string operation,
        TimeSpan timeout,
        Func<GuestAgentSession, CancellationToken, Task<T>> body,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var synchronised = false;
        try
        {
            await _oneAtATime.WaitAsync(linked.Token);
            try
            {
                await using var session = await GuestAgentSession.OpenAsync(_socketPath, linked.Token);
                synchronised = true;
                return await body(session, linked.Token);
            }
            finally
            {
                _oneAtATime.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!synchronised)
            {
                throw new GuestAgentUnavailableException(
                    $"The guest agent did not answer {operation} within {timeout.TotalSeconds:0.#} s.");
            }

            throw new DriverException(
                $"Guest agent {operation} did not finish within {timeout.TotalSeconds:0.#} s.", isTransient: true);
        }
        catch (EndOfStreamException e)
        {
            throw new GuestAgentUnavailableException($"The guest agent channel closed during {operation}.", e);
        }
        catch (GuestAgentCommandException e)
        {
            throw new DriverException(e.Message, isTransient: false, e);
        }
    }
}
