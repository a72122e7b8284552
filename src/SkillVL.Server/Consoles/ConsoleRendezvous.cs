using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Pairs a browser's console WebSocket with the one the agent opens back for the same session (consoles of
/// machines on agent nodes): the gateway waits for the agent's socket, the agent's request waits until the
/// browser's session is over.
/// </summary>
public sealed class ConsoleRendezvous : Agent.Remote.IConsoleRendezvous
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public void Expect(string session) => _sessions[session] = new Session();

    /// <summary>The agent's socket, or null when it did not come within <paramref name="timeout"/>.</summary>
    public async Task<WebSocket?> WaitForAgentAsync(string session, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(session, out var waiting))
        {
            return null;
        }

        try
        {
            return await waiting.Agent.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            End(session);
            return null;
        }
    }

    /// <summary>The agent's side: hands its socket over; completes when the browser's session ends. False: unknown session.</summary>
    public bool TryOffer(string session, WebSocket agentSocket, out Task done)
    {
        done = Task.CompletedTask;
        if (!_sessions.TryGetValue(session, out var waiting) || !waiting.Agent.TrySetResult(agentSocket))
        {
            return false;
        }

        done = waiting.Done.Task;
        return true;
    }

    public void End(string session)
    {
        if (_sessions.TryRemove(session, out var ended))
        {
            ended.Done.TrySetResult();
        }
    }

    private sealed class Session
    {
        public TaskCompletionSource<WebSocket> Agent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
