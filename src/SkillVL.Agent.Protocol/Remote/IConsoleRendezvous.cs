using System.Net.WebSockets;

namespace SkillVL.Agent.Remote;

/// <summary>
/// Where the Server meets the WebSocket an agent opens back for a console session (its consoles cross the agent's own
/// outbound connection, so nothing listens on the node). <see cref="RemoteNodeAgent"/> asks its agent to connect and
/// waits here; the Server's agent endpoint hands the socket over.
/// </summary>
public interface IConsoleRendezvous
{
    /// <summary>Opens <paramref name="session"/> for node <paramref name="node"/> only: another node's connection for it is
    /// refused (ADR 0046).</summary>
    void Expect(string session, string node);

    /// <summary>The agent's socket, or null when it did not come within <paramref name="timeout"/>.</summary>
    Task<WebSocket?> WaitForAgentAsync(string session, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Releases the agent's side of the session (its request ends).</summary>
    void End(string session);
}
