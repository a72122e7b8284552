using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Pairs a browser's console WebSocket (or a fenced disk's transfer, ADR 0044) with the one the agent opens back for the
/// same session: the gateway waits for the agent's socket, the agent's request waits until the browser's session is over.
/// Each session is bound to the node it was sent to (ADR 0046): any enrolled node can reach the agent route — a student's
/// own client node too — so a connection from another node is refused and the session keeps waiting for its own.
/// </summary>
public sealed class ConsoleRendezvous(ILogger<ConsoleRendezvous> logger) : Agent.Remote.IConsoleRendezvous
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public void Expect(string session, string node) => _sessions[session] = new Session(node);

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

    /// <summary>
    /// The agent's side: node <paramref name="node"/> (as its credential says) hands its socket over; when accepted,
    /// <paramref name="done"/> completes when the browser's session ends.
    /// </summary>
    public ConsoleOffer TryOffer(string session, string node, WebSocket agentSocket, out Task done)
    {
        done = Task.CompletedTask;
        if (!_sessions.TryGetValue(session, out var waiting))
        {
            return ConsoleOffer.UnknownSession;
        }

        if (!string.Equals(waiting.Node, node, StringComparison.Ordinal))
        {
            ConsolesLog.OfferFromWrongNode(logger, node, waiting.Node);
            return ConsoleOffer.WrongNode;
        }

        if (!waiting.Agent.TrySetResult(agentSocket))
        {
            return ConsoleOffer.UnknownSession;
        }

        done = waiting.Done.Task;
        return ConsoleOffer.Accepted;
    }

    public void End(string session)
    {
        if (_sessions.TryRemove(session, out var ended))
        {
            ended.Done.TrySetResult();
        }
    }

    private sealed class Session(string node)
    {
        public string Node { get; } = node;

        public TaskCompletionSource<WebSocket> Agent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
