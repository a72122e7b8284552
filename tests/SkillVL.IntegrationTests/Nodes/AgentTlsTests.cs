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

    /// <summary>
    /// The protocol from a node that asks for more than it may: over its own authenticated connection, a CSR naming
    /// another node, another address and a CA flag yields a certificate with only the Server's names for it; a CSR
    /// with a broken signature or an ECDSA key is refused with a typed error, and audited.
    /// </summary>
    [Fact]
    public async Task GreedyOrBrokenCsrs_OverTheConnection_GetOnlyTheServersNames_OrARefusal()
    {
        await using var server = await ServerHarness.StartAsync();
        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        using var anonymous = server.ClientWith(null);
        var enrolled = await Auth.Users.ReadAsync<EnrolResponse>(
            await anonymous.PostAsJsonAsync(AgentPaths.Enrol, new EnrolRequest(join.Token, "greedy", "edge"), ServerHarness.Json), HttpStatusCode.OK);

        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + enrolled.Credential);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + AgentPaths.Connect), limit.Token);
        await using var channel = new SkillVL.Agent.Remote.AgentChannel(socket, "server");
        var reading = channel.RunAsync(_ => Task.CompletedTask, limit.Token);
        await channel.SendAsync(
            new AgentMessage { Type = AgentMessage.Hello, Facts = new NodeFacts("greedy", 1, 1 << 30, "tcg", "edge", "192.0.2.5") }, limit.Token);
        var issuer = new SkillVL.Agent.Remote.ChannelCertificateIssuer(channel);

        using var key = System.Security.Cryptography.RSA.Create(2048);
        var greedy = new CertificateRequest("CN=local", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("local");
        names.AddDnsName("node1");
        names.AddIpAddress(IPAddress.Parse("10.0.0.1"));
        greedy.CertificateExtensions.Add(names.Build());
        greedy.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var issued = await issuer.IssueAsync(greedy.CreateSigningRequestPem(), limit.Token);
        using (var certificate = X509Certificate2.CreateFromPem(issued.Certificate))
        {
            var (dns, addresses) = NodeCertificatePolicy.SubjectAlternativeNames(certificate);
            Assert.Equal(["greedy"], dns);
            Assert.Equal([IPAddress.Parse("192.0.2.5")], addresses);
            Assert.Equal("CN=greedy, O=SkillVL nodes", certificate.Subject);
            Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
            Assert.Equal(await issuer.GetCaCertificateAsync(limit.Token), issued.CaCertificate);
        }

        var der = greedy.CreateSigningRequest();
        der[^1] ^= 0x01;
        var broken = await Assert.ThrowsAsync<SkillVL.Core.Errors.DriverException>(
            () => issuer.IssueAsync(new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE REQUEST", der)), limit.Token));
        Assert.False(broken.IsTransient);
        Assert.Contains("not a validly signed", broken.Message, StringComparison.Ordinal);
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var wrongKey = await Assert.ThrowsAsync<SkillVL.Core.Errors.DriverException>(
            () => issuer.IssueAsync(new CertificateRequest("CN=greedy", ecdsa, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem(), limit.Token));
        Assert.Contains("RSA-2048", wrongKey.Message, StringComparison.Ordinal);

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=node.certificate", ServerHarness.Json))!
            .Where(a => a.Target == "node=greedy").ToList();
        Assert.Equal(1, audit.Count(a => a.Outcome == "ok"));
        Assert.Equal(2, audit.Count(a => a.Outcome == "refused"));
        await channel.DisposeAsync();
        await Bounded.WithinAsync(reading, TimeSpan.FromSeconds(10), "the connection to close");
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
