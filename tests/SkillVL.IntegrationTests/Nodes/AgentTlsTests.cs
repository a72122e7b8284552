using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Agent.Tls;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Pki;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 6's node credentials end to end: the embedded node has its &lt;data&gt;/tls at start; a real
/// `skillvl-agent` gets its own on connecting — signed by the Server's CA, naming the node and the underlay address
/// the Server knows, key 0600, good for QEMU's NBD over TLS with the embedded node — keeps it across reconnects,
/// and gets a new one when the Server's CA changes.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class AgentTlsTests(ITestOutputHelper output)
{
    private const string Node = "tls1";
    private static readonly IPAddress Underlay = IPAddress.Parse("192.0.2.77"); // only reported, never sent to

    [Fact]
    public async Task Agent_GetsCertificateFromServerCa_KeepsItOnReconnect_RenewsWhenTheCaChanges()
    {
        await using var server = await ServerHarness.StartAsync();
        var caFile = Path.Combine(server.DataDirectory, PlatformCertificateAuthority.DirectoryName, PlatformCertificateAuthority.CertificateFile);
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var agentData = Path.Combine(server.Root, Node, "data");
        var agentRun = Path.Combine(server.Root, Node, "run");
        var tls = NodeTlsFiles.DirectoryOf(agentData);
        string[] Args(string? token) =>
        [
            "--server", "unix:" + socket, "--name", Node, "--kind", "edge", "--underlay-address", Underlay.ToString(),
            "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg", .. token is null ? Array.Empty<string>() : ["--join-token", token],
        ];

        // The embedded node: credentials before the Server opened, for the name "local" only.
        using (var local = Certificate(NodeTlsFiles.DirectoryOf(server.DataDirectory)))
        {
            Assert.True(NodeCertificatePolicy.IsIssuedBy(local, Ca(caFile), DateTimeOffset.UtcNow));
            var (dns, addresses) = NodeCertificatePolicy.SubjectAlternativeNames(local);
            Assert.Equal(["local"], dns);
            Assert.Empty(addresses);
        }

        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        var agent = AgentProcess.Start(Args(join.Token));
        try
        {
            await WaitIssuedByAsync(tls, caFile);
            string serial;
            using (var certificate = Certificate(tls))
            {
                serial = certificate.SerialNumber;
                var (dns, addresses) = NodeCertificatePolicy.SubjectAlternativeNames(certificate);
                Assert.Equal([Node], dns);
                Assert.Equal([Underlay], addresses);
                Assert.Equal(File.ReadAllBytes(caFile), File.ReadAllBytes(Path.Combine(tls, NodeTlsFiles.CaCertificate)));
                using var pair = X509Certificate2.CreateFromPem(
                    File.ReadAllText(Path.Combine(tls, NodeTlsFiles.ClientCertificate)), File.ReadAllText(Path.Combine(tls, NodeTlsFiles.ClientKey)));
                Assert.True(pair.HasPrivateKey);
            }

            const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(tls));
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(tls, NodeTlsFiles.ServerKey)));
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(tls, NodeTlsFiles.ClientKey)));
            var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=node.certificate", ServerHarness.Json))!;
            Assert.Single(audit, a => a.Target == "node=" + Node && a.Outcome == "ok");

            // What the two nodes got works for QEMU: NBD over TLS with the agent's node as the target and the
            // embedded node as the source, checking the target as "tls1" (as a migration's disk mirror would).
            var disk = Path.Combine(server.Root, "nbd.raw");
            Assert.Equal(0, (await HostTools.RunAsync("qemu-img", ["create", "-f", "raw", disk, "1M"], LoopbackTlsServer.ToolTimeout)).ExitCode);
            using (var target = await LoopbackTlsServer.StartNbdTargetAsync(tls, disk))
            {
                var read = await target.ReadOverNbdAsync(NodeTlsFiles.DirectoryOf(server.DataDirectory), Node);
                output.WriteLine(read.Stdout + read.Stderr + target.Log);
                Assert.Equal(0, read.ExitCode);
            }

            // Reconnect (the agent restarted): the certificate is current, nothing is issued.
            await agent.DisposeAsync();
            agent = AgentProcess.Start(Args(null));
            await Bounded.WaitUntilAsync(() => agent.Log.Contains("TLS credentials in", StringComparison.Ordinal) && agent.Log.Contains("are current", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the restarted agent to check its credentials");
            using (var kept = Certificate(tls))
            {
                Assert.Equal(serial, kept.SerialNumber);
            }

            // A new platform CA (the old one moved aside): the Server's own node and the agent are issued anew.
            await server.RestartAsync(() => Directory.Move(Path.GetDirectoryName(caFile)!, Path.GetDirectoryName(caFile) + ".old"));
            await WaitIssuedByAsync(tls, caFile);
            using (var renewed = Certificate(tls))
            {
                Assert.NotEqual(serial, renewed.SerialNumber);
            }

            using (var local = Certificate(NodeTlsFiles.DirectoryOf(server.DataDirectory)))
            {
                Assert.True(NodeCertificatePolicy.IsIssuedBy(local, Ca(caFile), DateTimeOffset.UtcNow));
            }
        }
        finally
        {
            output.WriteLine(agent.Log);
            await agent.DisposeAsync();
            await ProcessReaper.KillAllUnderAsync(agentRun);
        }
    }

    private static X509Certificate2 Certificate(string tlsDirectory) =>
        X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(tlsDirectory, NodeTlsFiles.ServerCertificate)));

    private static X509Certificate2 Ca(string caFile) => X509Certificate2.CreateFromPem(File.ReadAllText(caFile));

    private static Task WaitIssuedByAsync(string tlsDirectory, string caFile) =>
        Bounded.WaitUntilAsync(
            () =>
            {
                if (!File.Exists(Path.Combine(tlsDirectory, NodeTlsFiles.ServerCertificate)))
                {
                    return false;
                }

                using var certificate = Certificate(tlsDirectory);
                using var ca = Ca(caFile);
                return NodeCertificatePolicy.IsIssuedBy(certificate, ca, DateTimeOffset.UtcNow);
            },
            TimeSpan.FromSeconds(60),
            $"{tlsDirectory} to hold a certificate from the Server's CA");
}
