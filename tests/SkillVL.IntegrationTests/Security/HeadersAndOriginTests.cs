using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using Xunit;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11, finding 12, against the real Server serving a web root (as `./skillvl up` does): security headers on
/// every answer, the console gateway refusing foreign Origins, and 415 (not the SPA fallback's 404) for a wrong
/// Content-Type on the API.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class HeadersAndOriginTests
{
    [Fact]
    public async Task Issue11_EveryAnswer_CarriesCspNoFramingNosniffNoReferrer()
    {
        using var web = await WebRootAsync();
        await using var server = await ServerHarness.StartAsync(o => o.WebRoot = web.Path);
        using var anonymous = server.ClientWith(null);
        var host = new Uri(server.BaseUrl).Authority;

        var answers = new List<HttpResponseMessage>
        {
            await anonymous.GetAsync("/"),                                    // the SPA
            await anonymous.GetAsync("/rooms/abc"),                           // a client-side route (index.html)
            await anonymous.GetAsync("/assets/app.js"),                       // an asset
            await anonymous.GetAsync("/api/v1/rooms"),                        // 401
            await anonymous.GetAsync("/api/v1/no-such-route"),                // 404
            await anonymous.GetAsync("/.well-known/openid-configuration"),    // the issuer
            await anonymous.GetAsync(ApiPaths.Health),
            await server.Client.GetAsync(ApiPaths.Rooms),                     // 200 with a token
            await anonymous.GetAsync("/console/ws?ticket=nope"),              // the gateway's refusal
        };
        foreach (var answer in answers)
        {
            var what = $"{answer.RequestMessage!.RequestUri!.PathAndQuery} ({(int)answer.StatusCode})";
            var csp = Assert.Single(answer.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains($"connect-src 'self' ws://{host} wss://{host};", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.True(answer.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
            Assert.True(answer.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", what);
            Assert.True(answer.Headers.TryGetValues("X-Frame-Options", out var frames) && frames.Single() == "DENY", what);
            answer.Dispose();
        }

        // A Host header that could smuggle a directive gets no WebSocket source rather than a broken policy.
        using var smuggling = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + "/");
        smuggling.Headers.TryAddWithoutValidation("Host", "evil.example;script-src");
        using var refused = await anonymous.SendAsync(smuggling);
        if (refused.Headers.TryGetValues("Content-Security-Policy", out var policy))
        {
            Assert.DoesNotContain("evil.example", policy.Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Issue11_WrongContentType_Answers415NotTheFallbacks404()
    {
        using var web = await WebRootAsync();
        await using var server = await ServerHarness.StartAsync(o => o.WebRoot = web.Path);

        // A JSON route given text, a multipart route given JSON: 415, with or without a token.
        using var json = await server.Client.PostAsync(ApiPaths.Migrations, new StringContent("to=local", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        using var form = await server.Client.PostAsync("/api/v1/templates", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var anonymous = server.ClientWith(null);
        using var users = await anonymous.PostAsync(ApiPaths.Users, new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, users.StatusCode);

        // The right type still reaches the route (400: the body is empty), unknown paths stay 404, client routes the SPA.
        using var right = await server.Client.PostAsync(ApiPaths.Migrations, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        using var unknown = await server.Client.PostAsync("/api/v1/no-such-route", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/API/v1/no-such-route")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/.well-known/nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/apiary")).StatusCode); // a client route that only starts like /api
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/courses/c1/instances")).StatusCode);
    }

    [Fact]
    public async Task Issue11_ConsoleWebSocket_ForeignOrigin_IsRefused_OwnOrAbsentOriginConnects()
    {
        const string room = """
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: origin }
            networks:
              - { name: lan, cidr: 10.71.0.0/24 }
            machines:
              - { name: box, template: tiny, nics: [{ network: lan, ip: 10.71.0.5 }] }
            """;
        await using var server = await ServerHarness.StartAsync();
        using var owner = await Users.AddAndLoginAsync(server, "orla", PlatformRoles.Student);
        await Users.CreateRoomAsync(server, owner, room);
        var tickets = ApiPaths.Machine("origin", "box") + "/console/tickets";
        var own = server.BaseUrl.TrimEnd('/');

        var ticket = await Users.ReadAsync<ConsoleTicket>(await owner.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("vnc"), ServerHarness.Json), HttpStatusCode.OK);
        foreach (var foreign in new[] { "http://evil.example", own.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), own + "0", "null" })
        {
            var (status, _) = await ConnectAsync(server, ticket.Url, foreign);
            Assert.True(status == HttpStatusCode.Forbidden, $"Origin {foreign}: {status}");
        }

        // The refusals came before the ticket was looked at: it still opens the console from the Server's own origin.
        var (ok, banner) = await ConnectAsync(server, ticket.Url, own);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, ok);
        Assert.StartsWith("RFB ", banner, StringComparison.Ordinal);

        // No Origin: not a browser (the ticket is the credential).
        ticket = await Users.ReadAsync<ConsoleTicket>(await owner.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("vnc"), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, (await ConnectAsync(server, ticket.Url, origin: null)).Status);
    }

    /// <summary>The handshake's status, and the first bytes when it connected (QEMU's RFB banner).</summary>
    private static async Task<(HttpStatusCode Status, string Banner)> ConnectAsync(ServerHarness server, string url, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + url), timeout.Token);
        }
        catch (WebSocketException)
        {
            return (socket.HttpStatusCode, "");
        }

        var buffer = new byte[12];
        var read = await socket.ReceiveAsync(buffer, timeout.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        return (socket.HttpStatusCode, Encoding.ASCII.GetString(buffer, 0, read.Count));
    }

    private static async Task<TestUtilities.TempDirectory> WebRootAsync()
    {
        var web = new TestUtilities.TempDirectory("svl-web");
        await File.WriteAllTextAsync(Path.Combine(web.Path, "index.html"), "<!doctype html><title>SkillVL</title><div id=root></div>");
        Directory.CreateDirectory(Path.Combine(web.Path, "assets"));
        await File.WriteAllTextAsync(Path.Combine(web.Path, "assets", "app.js"), "console.log('skillvl')");
        return web;
    }
}
