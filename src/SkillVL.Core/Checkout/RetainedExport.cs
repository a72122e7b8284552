namespace SkillVL.Core.Checkout;

/// <summary>Where the client reaches a retained copy for its sync: the server node's tunnel (TLS, platform CA).</summary>
/// <param name="Host">The server node's address the client dials.</param>
/// <param name="TunnelPort">TCP port of the tunnel's listener.</param>
/// <param name="Token">The secret the client presents (a secret: never logged, never in a URL).</param>
/// <param name="TlsHostname">Name the client checks the server node's certificate against.</param>
public sealed record RetainedExport(string Host, int TunnelPort, string Token, string TlsHostname)
{
    /// <summary>Keeps the token out of logs and exception messages that print the record.</summary>
    public override string ToString() => $"RetainedExport {{ Host = {Host}, TunnelPort = {TunnelPort}, TlsHostname = {TlsHostname} }}";
}
