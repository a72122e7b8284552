using System.Net.WebSockets;
using System.Security.Cryptography;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The consoles of a remote node's VMs as byte streams (ADR 0036): the agent is asked to connect the VM's console back to
/// the Server over a WebSocket of its own, which <see cref="IConsoleRendezvous"/> pairs with this request. Disposing the
/// stream ends the session, so the agent lets go of the console as well.
/// </summary>
internal sealed class RemoteConsoles(RemoteNodeAgent node, IConsoleRendezvous rendezvous) : INodeConsoles
{
    /// <summary>How long the agent has to connect back once asked.</summary>
    private static readonly TimeSpan AgentConnectTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public async Task<Stream> OpenAsync(string vmId, string kind, CancellationToken cancellationToken)
    {
        var session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        rendezvous.Expect(session, node.Facts.Name);
        try
        {
            await node.OpenConsoleAsync(vmId, kind, session, cancellationToken);
            var socket = await rendezvous.WaitForAgentAsync(session, AgentConnectTimeout, cancellationToken)
                ?? throw new DriverException($"Node {node.Facts.Name} did not connect the {kind} console of VM {vmId} within {AgentConnectTimeout.TotalSeconds:0} s.", isTransient: true);
            // The stream closes the agent's socket (a close handshake, bounded) when disposed; then the agent's request ends.
            return new SessionStream(WebSocketStream.Create(socket, WebSocketMessageType.Binary, CloseTimeout), () => rendezvous.End(session));
        }
        catch
        {
            rendezvous.End(session);
            throw;
        }
    }
}
