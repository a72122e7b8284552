using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

public sealed class CredentialTests
{
    [Fact]
    public void ApiToken_HeaderIsPveApiTokenForm_AndToStringHidesTheSecret()
    {
        var token = ApiToken.Create("skillvl@pve!lab", " 0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff\n");

        Assert.Equal("PVEAPIToken=skillvl@pve!lab=0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff", token.HeaderValue);
        Assert.Equal("skillvl@pve", token.User);
        Assert.DoesNotContain("0b1c2d3e", token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root@pam=automation-token")]
    [InlineData("skillvl!lab")]
    [InlineData("skillvl@pve")]
    [InlineData("skillvl@pve!1lab")]
    public void ApiToken_MalformedId_IsRefusedWithTheExpectedForm(string id)
    {
        var e = Assert.Throws<ArgumentException>(() => ApiToken.Create(id, "secret"));
        Assert.Contains("USER@REALM!TOKENID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificatePin_AnyCaseOrSeparator_MatchesTheSameCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=pve", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var upper = CertificatePin.Of(certificate).Display;

        Assert.True(CertificatePin.Parse(upper).Matches(certificate));
        Assert.True(CertificatePin.Parse(upper.ToLowerInvariant()).Matches(certificate));
        Assert.True(CertificatePin.Parse(upper.Replace(":", "", StringComparison.Ordinal)).Matches(certificate));
        Assert.False(CertificatePin.Parse(new string('A', 64)).Matches(certificate));
    }

    [Theory]
    [InlineData("AB:CD")]
    [InlineData("zz")]
    [InlineData("")]
    public void CertificatePin_NotSha256_IsRefused(string text) => Assert.Throws<ArgumentException>(() => CertificatePin.Parse(text));
}
