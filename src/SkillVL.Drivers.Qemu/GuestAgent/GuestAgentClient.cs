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
    /// agent's message on stderr, as a shell would. Output is what qemu-ga captured (it truncates at 16 MiB
    /// and says so).
    /// </summary>
    public Task<GuestExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]))
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }

        return RunAsync("guest-exec", timeout, async (session, ct) =>
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
                return new GuestExecResult(127, "", e.Description, false);
            }

            _logger.GuestExecStarted(command[0], pid);
            var pause = FirstPoll;
            while (true)
            {
                var status = await session.ExecuteAsync("guest-exec-status", new JsonObject { ["pid"] = pid }, ct) as JsonObject
                    ?? throw new GuestAgentUnavailableException("guest-exec-status answered without a status.");
                if (status["exited"]?.GetValue<bool>() == true)
                {
                    return ToResult(status);
                }

                await Task.Delay(pause, _timeProvider, ct);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPoll.Ticks));
            }
        }, cancellationToken);
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

        var truncated = status["out-truncated"]?.GetValue<bool>() == true || status["err-truncated"]?.GetValue<bool>() == true;
        return new GuestExecResult(exitCode, Decode(status["out-data"]), Decode(status["err-data"]), truncated);
    }

    private static string Decode(JsonNode? base64) =>
        base64 is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetValue<string>()));

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
