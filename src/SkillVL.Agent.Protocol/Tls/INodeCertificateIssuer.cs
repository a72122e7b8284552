using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Tls;

/// <summary>
/// The platform CA as a node sees it: over the agent's authenticated connection for a remote node, in-process for
/// the Server's embedded node. Either way the node makes its key and the CSR, and only the certificate comes back.
/// </summary>
public interface INodeCertificateIssuer
{
    /// <summary>The platform CA's certificate (PEM): the only trust anchor a node's QEMU gets.</summary>
    Task<string> GetCaCertificateAsync(CancellationToken cancellationToken);

    /// <summary>Signs a certificate for the node's key; the names in it are the CA's choice, not the CSR's.</summary>
    Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken);
}
