namespace SkillVL.Core.Nodes;

/// <summary>
/// Where a node keeps the TLS credentials QEMU uses for migration and NBD between nodes (issue 6, ADR 0011):
/// &lt;node data directory&gt;/tls/ holds exactly the files QEMU's <c>tls-creds-x509</c> object reads from its
/// <c>dir=</c> (https://www.qemu.org/docs/master/system/tls.html). The node's one key and one certificate serve
/// both ends of a connection (extended key usage serverAuth and clientAuth), so the server and client files are
/// copies of each other. The certificate names the node (SAN DNS) and its underlay address (SAN IP); the source of
/// a migration checks the target with <c>tls-hostname=&lt;target node name&gt;</c>.
/// </summary>
public static class NodeTlsFiles
{
    /// <summary>The directory below the node's data directory (mode 0700).</summary>
    public const string DirectoryName = "tls";

    /// <summary>The platform CA's certificate: the only CA a node trusts for its peers.</summary>
    public const string CaCertificate = "ca-cert.pem";

    /// <summary>The node's certificate, presented when it is the target (TLS server).</summary>
    public const string ServerCertificate = "server-cert.pem";

    /// <summary>The node's private key (mode 0600; RSA-2048, PKCS#1 PEM).</summary>
    public const string ServerKey = "server-key.pem";

    /// <summary>The same certificate, presented when the node is the source (TLS client).</summary>
    public const string ClientCertificate = "client-cert.pem";

    /// <summary>The same private key (mode 0600).</summary>
    public const string ClientKey = "client-key.pem";

    /// <summary>All five files, in the order they are replaced (certificates before the CA: see ADR 0011).</summary>
    public static IReadOnlyList<string> All { get; } = [ServerKey, ClientKey, ServerCertificate, ClientCertificate, CaCertificate];

    /// <summary>&lt;dataDirectory&gt;/tls: the <c>dir=</c> of the node's <c>tls-creds-x509</c> objects.</summary>
    public static string DirectoryOf(string dataDirectory) => Path.Combine(dataDirectory, DirectoryName);
}
