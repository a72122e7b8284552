using System.Net;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>The Server serves the built web UI at "/" with a fallback to index.html for client-side routes.</summary>
[Collection(VmCollection.Name)]
public sealed class WebRootTests
{
    [Fact]
    public async Task Spa_IndexAssetsAndClientRoutes_ApiStaysApi()
    {
        using var web = new TestUtilities.TempDirectory("svl-web");
        await File.WriteAllTextAsync(Path.Combine(web.Path, "index.html"), "<!doctype html><title>SkillVL</title><div id=root></div>");
        Directory.CreateDirectory(Path.Combine(web.Path, "assets"));
        await File.WriteAllTextAsync(Path.Combine(web.Path, "assets", "app.js"), "console.log('skillvl')");
        await using var server = await ServerHarness.StartAsync(o => o.WebRoot = web.Path);
        using var browser = server.ClientWith(null);

        foreach (var path in new[] { "/", "/rooms/abc123", "/oidc/callback?code=x&state=y" })
        {
            using var page = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>SkillVL</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("console.log('skillvl')", await browser.GetStringAsync("/assets/app.js"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/api/v1/no-such-route")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/.well-known/openid-configuration")).StatusCode);
    }
}
