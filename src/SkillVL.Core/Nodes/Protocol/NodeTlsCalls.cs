namespace SkillVL.Core.Nodes.Protocol;

/// <summary>
/// The calls an agent makes on the Server (the other direction of <see cref="AgentMethods"/>, on the same
/// connection and with the same request/response messages) to keep its QEMU TLS credentials (ADR 0011): it asks
/// for the platform CA's certificate and, when its own certificate is missing, from another CA, expiring or names
/// the wrong things, sends a certificate signing request. Its private key never leaves the node.
/// </summary>
public static class NodeTlsCalls
{
    /// <summary>No parameters; answers <see cref="CaCertificate"/>.</summary>
    public const string GetCa = "tls.ca";

    /// <summary>Parameters <see cref="IssueRequest"/>; answers <see cref="Issued"/>.</summary>
    public const string Issue = "tls.issue";

    /// <param name="Pem">The platform CA's certificate (PEM).</param>
    public sealed record CaCertificate(string Pem);

    /// <param name="Csr">A PKCS#10 certificate signing request (PEM) made with the node's key. Only its public key
    /// is used: the names in the certificate are the ones the Server knows for the node.</param>
    public sealed record IssueRequest(string Csr);

    /// <param name="Certificate">The node's new certificate (PEM).</param>
    /// <param name="CaCertificate">The CA that signed it (PEM).</param>
    public sealed record Issued(string Certificate, string CaCertificate);
}
