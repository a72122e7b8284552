using System.Net;
using System.Security.Cryptography;
using SkillVL.IntegrationTests.Auth;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>Issue 11 finding 12 (PKCE part): the embedded issuer takes S256 only, and no code request without it.</summary>
[Collection(VmCollection.Name)]
public sealed class PkceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Issue11_PlainPkce_AndNoPkce_AreRefused()
    {
        await using var server = await ServerHarness.StartAsync();
        using var browser = EmbeddedLogin.Browser(server.BaseUrl);
        var verifier = EmbeddedLogin.Base64Url(RandomNumberGenerator.GetBytes(32));

        var plain = EmbeddedLogin.AuthorizePath(server.BaseUrl, verifier, "plain");
        var none = plain.Replace("&code_challenge=" + Uri.EscapeDataString(verifier), "", StringComparison.Ordinal)
            .Replace("&code_challenge_method=plain", "", StringComparison.Ordinal);
        foreach (var (name, path) in new[] { ("plain", plain), ("no PKCE", none) })
        {
            using var response = await browser.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{name}: {(int)response.StatusCode} {response.Headers.Location} {body}");
            // Refused before any login (OpenIddict answers the error itself), never sent on to the login page.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("invalid_request", body, StringComparison.Ordinal);
        }

        // The discovery document offers S256 alone.
        using var http = new HttpClient();
        var discovery = await http.GetStringAsync(server.BaseUrl + "/.well-known/openid-configuration");
        output.WriteLine(discovery);
        Assert.Contains("\"code_challenge_methods_supported\":[\"S256\"]", discovery.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
