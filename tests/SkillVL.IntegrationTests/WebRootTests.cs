using System.IO.Compression;
using System.Net;
using System.Text;
using SkillVL.Server.Hosting;
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

    /// <summary>
    /// The SPA's hashed assets go out as the build's precompressed copies (brotli, else gzip, else plain, by what the
    /// browser accepts) and are cached for good; index.html is revalidated on every load (docs/benchmarks.md, Web UI);
    /// the Server's own answers are never compressed (they carry tokens: BREACH).
    /// </summary>
    [Fact]
    public async Task Spa_PrecompressedAssetsCachedForGood_IndexRevalidated_ApiNotCompressed()
    {
        using var web = new TestUtilities.TempDirectory("svl-web");
        var bundle = string.Concat(Enumerable.Repeat("export const room = { machines: [], networks: [] };\n", 200));
        var asset = Path.Combine(web.Path, "assets", "index-abc123.js");
        await File.WriteAllTextAsync(Path.Combine(web.Path, "index.html"), "<!doctype html><title>SkillVL</title><div id=root></div>");
        Directory.CreateDirectory(Path.Combine(web.Path, "assets"));
        await File.WriteAllTextAsync(asset, bundle);
        await using (var br = new BrotliStream(File.Create(asset + ".br"), CompressionLevel.SmallestSize))
        {
            await br.WriteAsync(Encoding.UTF8.GetBytes(bundle));
        }

        await using (var gz = new GZipStream(File.Create(asset + ".gz"), CompressionLevel.SmallestSize))
        {
            await gz.WriteAsync(Encoding.UTF8.GetBytes(bundle));
        }

        await using var server = await ServerHarness.StartAsync(o => o.WebRoot = web.Path);
        foreach (var (accept, encoding) in new[] { ("br, gzip", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", null) })
        {
            using var client = server.ClientWith(null);
            if (accept.Length > 0)
            {
                client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", accept);
            }

            using var answer = await client.GetAsync("/assets/index-abc123.js");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(PrecompressedAssets.ImmutableCacheControl, answer.Headers.CacheControl?.ToString());
            Assert.Equal("text/javascript", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal(encoding, answer.Content.Headers.ContentEncoding.SingleOrDefault());
            var body = await answer.Content.ReadAsStreamAsync();
            Stream plain = encoding switch
            {
                "br" => new BrotliStream(body, CompressionMode.Decompress),
                "gzip" => new GZipStream(body, CompressionMode.Decompress),
                _ => body,
            };
            using var reader = new StreamReader(plain);
            Assert.Equal(bundle, await reader.ReadToEndAsync());
        }

        using var browser = server.ClientWith(server.AdminToken);
        browser.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", "br, gzip");
        foreach (var page in new[] { "/", "/rooms/abc123" })
        {
            using var index = await browser.GetAsync(page);
            Assert.Equal("no-cache", index.Headers.CacheControl?.ToString());
        }

        foreach (var own in new[] { "/api/v1/me", "/openapi/v1.json", "/.well-known/openid-configuration" })
        {
            using var answer = await browser.GetAsync(own);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Empty(answer.Content.Headers.ContentEncoding);
        }
    }
}
