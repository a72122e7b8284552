using System.Text.Json;
using SkillVL.Agent.Tls;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The platform CA over the agent's own connection (authenticated with its node credential): the only place a
/// remote node takes a CA certificate from.
/// </summary>
public sealed class ChannelCertificateIssuer(AgentChannel channel) : INodeCertificateIssuer
{
    /// <summary>Signing takes milliseconds; this only bounds a Server that does not answer.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public async Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) =>
        Read<NodeTlsCalls.CaCertificate>(await channel.CallAsync(NodeTlsCalls.GetCa, null, CallTimeout, cancellationToken)).Pem;

    public async Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken) =>
        Read<NodeTlsCalls.Issued>(await channel.CallAsync(NodeTlsCalls.Issue, new NodeTlsCalls.IssueRequest(csrPem), CallTimeout, cancellationToken));

    private static T Read<T>(JsonElement? result) =>
        (result is { ValueKind: JsonValueKind.Object } value ? value.Deserialize<T>(AgentChannel.Json) : default)
            ?? throw new DriverException($"The Server answered without a {typeof(T).Name}.", isTransient: true);
}
