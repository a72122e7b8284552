using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using SkillVL.Agent.Tls;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Pki;

namespace SkillVL.Server.Tests.Pki;

/// <summary>The node side of issue 6's credentials, against the real CA in-process (as the embedded node uses it).</summary>
public sealed class NodeTlsEnrolmentTests : IDisposable
{
    private static readonly IPAddress Underlay = IPAddress.Parse("192.0.2.12");
    private readonly ScratchDirectory _scratch = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PlatformCertificateAuthority _ca;
    private readonly NodeTlsDirectory _node;

    public NodeTlsEnrolmentTests()
    {
        _ca = PlatformCertificateAuthority.LoadOrCreate(_scratch.Sub("ca"), "abc123", _time);
        _node = new NodeTlsDirectory(_scratch.Sub("node1"));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public async Task Ensure_FirstRun_WritesTheFilesQemuReads_SecondRunKeepsThem()
    {
        var issuer = new CountingIssuer(_ca, "node1", Underlay);

        var first = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, issuer, _time, CancellationToken.None);
        var second = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, issuer, _time, CancellationToken.None);

        Assert.True(first.Renewed);
        Assert.Contains("missing", first.Reason, StringComparison.Ordinal);
        Assert.False(second.Renewed);
        Assert.Equal(first.SerialNumber, second.SerialNumber);
        Assert.Equal(1, issuer.Issued);
        Assert.Equal(
            NodeTlsFiles.All.Order(StringComparer.Ordinal),
            Directory.GetFiles(_node.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(_node.Path));
        Assert.Equal(owner, File.GetUnixFileMode(_node.FilePath(NodeTlsFiles.ServerKey)));
        Assert.Equal(owner, File.GetUnixFileMode(_node.FilePath(NodeTlsFiles.ClientKey)));
        Assert.Equal(_ca.CertificatePem, File.ReadAllText(_node.FilePath(NodeTlsFiles.CaCertificate)));
        Assert.Equal(File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerCertificate)), File.ReadAllText(_node.FilePath(NodeTlsFiles.ClientCertificate)));
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerCertificate)), File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerKey)));
        Assert.True(certificate.HasPrivateKey); // key and certificate belong together
        Assert.True(NodeCertificatePolicy.IsIssuedBy(certificate, _ca.Certificate, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(334, false)] // 31 days left: kept
    [InlineData(336, true)] // 29 days left: renewed
    [InlineData(400, true)] // expired: renewed
    public async Task Ensure_RenewsWithinThirtyDaysOfExpiry_KeepingTheKey(int daysLater, bool renewed)
    {
        var issuer = new CountingIssuer(_ca, "node1", Underlay);
        var first = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, issuer, _time, CancellationToken.None);
        var key = File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerKey));

        _time.Advance(TimeSpan.FromDays(daysLater));
        var later = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, issuer, _time, CancellationToken.None);

        Assert.Equal(renewed, later.Renewed);
        Assert.Equal(renewed, later.SerialNumber != first.SerialNumber);
        Assert.Equal(key, File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerKey)));
        if (renewed)
        {
            Assert.Contains("expire", later.Reason, StringComparison.Ordinal);
            Assert.True(later.NotAfter > _time.GetUtcNow() + TimeSpan.FromDays(364));
        }
    }

    [Fact]
    public async Task Ensure_CertificateFromAnotherCa_IsReplacedByOneFromTheCurrentCa()
    {
        await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, new CountingIssuer(_ca, "node1", Underlay), _time, CancellationToken.None);
        using var newCa = PlatformCertificateAuthority.LoadOrCreate(_scratch.Sub("ca2"), "def456", _time);

        var outcome = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, new CountingIssuer(newCa, "node1", Underlay), _time, CancellationToken.None);

        Assert.True(outcome.Renewed);
        Assert.Contains("not the current platform CA", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(newCa.CertificatePem, File.ReadAllText(_node.FilePath(NodeTlsFiles.CaCertificate)));
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(_node.FilePath(NodeTlsFiles.ClientCertificate)));
        Assert.True(NodeCertificatePolicy.IsIssuedBy(certificate, newCa.Certificate, _time.GetUtcNow()));
        Assert.False(NodeCertificatePolicy.IsIssuedBy(certificate, _ca.Certificate, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Ensure_UnderlayAddressChanged_GetsACertificateNamingTheNewOne()
    {
        await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, new CountingIssuer(_ca, "node1", Underlay), _time, CancellationToken.None);
        var moved = IPAddress.Parse("192.0.2.99");

        var outcome = await NodeTlsEnrolment.EnsureAsync(_node, "node1", moved, new CountingIssuer(_ca, "node1", moved), _time, CancellationToken.None);

        Assert.True(outcome.Renewed);
        Assert.Contains("192.0.2.99", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ensure_DamagedKey_IsReplacedTogetherWithTheCertificate()
    {
        await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, new CountingIssuer(_ca, "node1", Underlay), _time, CancellationToken.None);
        File.WriteAllText(_node.FilePath(NodeTlsFiles.ServerKey), "not a key");

        var outcome = await NodeTlsEnrolment.EnsureAsync(_node, "node1", Underlay, new CountingIssuer(_ca, "node1", Underlay), _time, CancellationToken.None);

        Assert.True(outcome.Renewed);
        using var pair = X509Certificate2.CreateFromPem(File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerCertificate)), File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerKey)));
        Assert.True(pair.HasPrivateKey);
        Assert.Equal(File.ReadAllText(_node.FilePath(NodeTlsFiles.ServerKey)), File.ReadAllText(_node.FilePath(NodeTlsFiles.ClientKey)));
    }

    [Fact]
    public async Task Ensure_ServerSendsACertificateForAnotherKey_InstallsNothing()
    {
        var swapping = new KeySwappingIssuer(_ca);

        var refused = await Assert.ThrowsAsync<DriverException>(
            () => NodeTlsEnrolment.EnsureAsync(_node, "node1", null, swapping, _time, CancellationToken.None));

        Assert.Contains("not for the node's key", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_node.Path));
    }

    [Theory]
    [InlineData(31, null)]
    [InlineData(30, null)]
    [InlineData(29, "expires")]
    [InlineData(0, "expired")]
    [InlineData(-5, "expired")]
    public void ReasonToRenew_ThirtyDayThreshold(int daysLeft, string? reason)
    {
        using var key = RSA.Create(2048);
        using var certificate = _ca.Issue(NodeTlsEnrolment.CreateSigningRequestPem(key, "node1"), "node1", null);
        var now = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - TimeSpan.FromDays(daysLeft);

        var why = NodeCertificatePolicy.ReasonToRenew(certificate, key.ExportSubjectPublicKeyInfo(), _ca.Certificate, "node1", null, now);

        if (reason is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.Contains(reason, why, StringComparison.Ordinal);
        }
    }

    /// <summary>The CA in-process, counting what it signs.</summary>
    private sealed class CountingIssuer(PlatformCertificateAuthority ca, string node, IPAddress? address) : INodeCertificateIssuer
    {
        public int Issued { get; private set; }

        public Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ca.CertificatePem);

        public Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken)
        {
            Issued++;
            using var certificate = ca.Issue(csrPem, node, address);
            return Task.FromResult(new NodeTlsCalls.Issued(certificate.ExportCertificatePem(), ca.CertificatePem));
        }
    }

    /// <summary>A Server gone wrong: signs some other key than the one in the CSR.</summary>
    private sealed class KeySwappingIssuer(PlatformCertificateAuthority ca) : INodeCertificateIssuer
    {
        public Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ca.CertificatePem);

        public Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken)
        {
            using var other = RSA.Create(2048);
            using var certificate = ca.Issue(NodeTlsEnrolment.CreateSigningRequestPem(other, "node1"), "node1", null);
            return Task.FromResult(new NodeTlsCalls.Issued(certificate.ExportCertificatePem(), ca.CertificatePem));
        }
    }
}
