using System.Net;
using SkillVL.Agent.Tls;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Pki;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 6: the credentials the platform CA gives nodes work where they are used. QEMU's own TLS stack (GnuTLS
/// behind <c>tls-creds-x509</c>, with QEMU's sanity checks of the files) carries NBD between two "nodes" on loopback:
/// qemu-nbd serves as the target with node-b's &lt;data&gt;/tls, qemu-img reads as the source with node-a's and
/// <c>tls-hostname=node-b</c> — as a migration's disk mirror does. A wrong host name, a client or a server whose
/// certificate comes from another CA are refused. GnuTLS's own tools agree (certtool, gnutls-serv/gnutls-cli).
/// </summary>
public sealed class NodeTlsInteropTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ToolTimeout = LoopbackTlsServer.ToolTimeout;
    private readonly TempDirectory _root = new("svl-tls");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task QemuNbdOverTls_PlatformCertificates_Accepted_WrongNameOrForeignCa_Refused()
    {
        HostTools.RequireTool("qemu-nbd", "qemu-utils");
        HostTools.RequireTool("qemu-img", "qemu-utils");
        var (ca, foreignCa) = CreateCas();
        using (ca)
        using (foreignCa)
        {
            var nodeA = await EnrolAsync(ca, "node-a", IPAddress.Loopback);
            var nodeB = await EnrolAsync(ca, "node-b", IPAddress.Parse("127.0.0.2"));
            var foreignB = await EnrolAsync(foreignCa, "node-b", IPAddress.Parse("127.0.0.2"));
            // A client that trusts the platform CA but holds a certificate of another CA: only the target's check stops it.
            var impostor = await EnrolAsync(foreignCa, "node-c", null);
            File.Copy(Path.Combine(nodeA, NodeTlsFiles.CaCertificate), Path.Combine(impostor, NodeTlsFiles.CaCertificate), overwrite: true);
            var disk = Path.Combine(_root.Path, "disk.raw");
            Assert.Equal(0, (await HostTools.RunAsync("qemu-img", ["create", "-f", "raw", disk, "1M"], ToolTimeout)).ExitCode);

            using var target = await LoopbackTlsServer.StartNbdTargetAsync(nodeB, disk);
            try
            {
                var accepted = await target.ReadOverNbdAsync(nodeA, "node-b");
                output.WriteLine(accepted.Stdout + accepted.Stderr);
                Assert.Equal(0, accepted.ExitCode);
                Assert.Contains("virtual size: 1 MiB", accepted.Stdout, StringComparison.Ordinal);

                var wrongName = await target.ReadOverNbdAsync(nodeA, "node-c");
                output.WriteLine(wrongName.Stderr);
                Assert.NotEqual(0, wrongName.ExitCode);
                Assert.Contains("does not match the hostname node-c", wrongName.Stderr, StringComparison.Ordinal);

                // QEMU would not even load the impostor's files (its own certificate does not chain to its CA file),
                // so its check is turned off here. GnuTLS then offers no certificate the target's CA did not issue
                // ("No certificate was found"); either way it is the target's verification that ends the connection.
                var foreignClient = await target.ReadOverNbdAsync(impostor, "node-b", ",sanity-check=off");
                output.WriteLine(foreignClient.Stderr);
                Assert.NotEqual(0, foreignClient.ExitCode);
                await Bounded.WaitUntilAsync(
                    () => target.Log.Contains("Verify failed", StringComparison.Ordinal),
                    ToolTimeout,
                    "the target to report the foreign client certificate");
            }
            finally
            {
                output.WriteLine("[qemu-nbd] " + target.Log);
            }

            using var foreignTarget = await LoopbackTlsServer.StartNbdTargetAsync(foreignB, disk);
            var foreignServer = await foreignTarget.ReadOverNbdAsync(nodeA, "node-b");
            output.WriteLine(foreignServer.Stderr);
            Assert.NotEqual(0, foreignServer.ExitCode);
            Assert.Contains("hasn't got a known issuer", foreignServer.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GnuTls_VerifiesBothPurposesAndTheNames_AndCompletesAMutualHandshake()
    {
        HostTools.RequireTool("certtool", "gnutls-bin");
        HostTools.RequireTool("gnutls-serv", "gnutls-bin");
        HostTools.RequireTool("gnutls-cli", "gnutls-bin");
        var (ca, foreignCa) = CreateCas();
        using (ca)
        using (foreignCa)
        {
            var nodeA = await EnrolAsync(ca, "node-a", IPAddress.Loopback);
            var nodeB = await EnrolAsync(ca, "node-b", IPAddress.Parse("127.0.0.2"));
            var foreignA = await EnrolAsync(foreignCa, "node-a", IPAddress.Loopback);

            // certtool: the chain, the host name and each purpose (serverAuth, clientAuth) by GnuTLS's verifier.
            foreach (var purpose in new[] { "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2" })
            {
                var verified = await VerifyAsync(nodeB, Path.Combine(nodeB, NodeTlsFiles.ServerCertificate), "node-b", purpose);
                Assert.True(verified.ExitCode == 0, verified.Stdout + verified.Stderr);
            }

            Assert.NotEqual(0, (await VerifyAsync(nodeB, Path.Combine(nodeB, NodeTlsFiles.ServerCertificate), "node-c", "1.3.6.1.5.5.7.3.1")).ExitCode);
            Assert.NotEqual(0, (await VerifyAsync(nodeB, Path.Combine(foreignA, NodeTlsFiles.ClientCertificate), "node-a", "1.3.6.1.5.5.7.3.2")).ExitCode);

            // A mutual handshake on loopback: gnutls-serv with node-b's server files, gnutls-cli with node-a's client files.
            using var server = await LoopbackTlsServer.StartAsync("gnutls-serv", port =>
            [
                "--port", port, "--echo", "--require-client-cert", "--verify-client-cert",
                "--x509cafile", Path.Combine(nodeB, NodeTlsFiles.CaCertificate),
                "--x509certfile", Path.Combine(nodeB, NodeTlsFiles.ServerCertificate),
                "--x509keyfile", Path.Combine(nodeB, NodeTlsFiles.ServerKey),
            ]);
            var handshake = await HostTools.RunAsync("bash", ["-c", "echo ping | gnutls-cli \"$@\"", "gnutls-cli",
                "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--verify-hostname", "node-b",
                "--x509cafile", Path.Combine(nodeA, NodeTlsFiles.CaCertificate),
                "--x509certfile", Path.Combine(nodeA, NodeTlsFiles.ClientCertificate),
                "--x509keyfile", Path.Combine(nodeA, NodeTlsFiles.ClientKey),
                "127.0.0.1"], ToolTimeout);
            output.WriteLine(handshake.Stdout + handshake.Stderr);
            output.WriteLine("[gnutls-serv] " + server.Log);
            Assert.Equal(0, handshake.ExitCode);
            Assert.Contains("Handshake was completed", handshake.Stdout + handshake.Stderr, StringComparison.Ordinal);
            Assert.Contains("ping", handshake.Stdout, StringComparison.Ordinal); // echoed back through the tunnel
        }
    }

    private (PlatformCertificateAuthority Ca, PlatformCertificateAuthority Foreign) CreateCas() =>
        (PlatformCertificateAuthority.LoadOrCreate(Path.Combine(_root.Path, "ca"), "interop", TimeProvider.System),
         PlatformCertificateAuthority.LoadOrCreate(Path.Combine(_root.Path, "foreign-ca"), "foreign", TimeProvider.System));

    /// <summary>A node's &lt;data&gt;/tls through the same enrolment every node runs, with <paramref name="ca"/> in-process.</summary>
    private async Task<string> EnrolAsync(PlatformCertificateAuthority ca, string node, IPAddress? address)
    {
        var directory = new NodeTlsDirectory(Path.Combine(_root.Path, ca.Certificate.Thumbprint[..8] + "-" + node));
        await NodeTlsEnrolment.EnsureAsync(directory, node, address, new InProcessIssuer(ca, node, address), TimeProvider.System, CancellationToken.None);
        return directory.Path;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> VerifyAsync(string trustedDirectory, string certificate, string hostname, string purpose) =>
        HostTools.RunAsync("certtool", [
            "--verify", "--load-ca-certificate", Path.Combine(trustedDirectory, NodeTlsFiles.CaCertificate),
            "--infile", certificate, "--verify-hostname", hostname, "--verify-purpose", purpose],
            ToolTimeout);

    private sealed class InProcessIssuer(PlatformCertificateAuthority ca, string node, IPAddress? address) : INodeCertificateIssuer
    {
        public Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ca.CertificatePem);

        public Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken)
        {
            using var certificate = ca.Issue(csrPem, node, address);
            return Task.FromResult(new NodeTlsCalls.Issued(certificate.ExportCertificatePem(), ca.CertificatePem));
        }
    }
}
