using System.Net;
using System.Text;
using SkillVL.ProxmoxSimulator;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>
/// Answers 200 with a captured JSON body chosen by the request's path (the first key the path ends with), so the client's
/// parsing is tested on answers a real PVE gave (fixtures/*.json), not only on the simulator's. <c>file#key</c> takes one
/// answer out of a file holding several; a body starting with <c>{</c> is given inline (hand-written, for shapes no
/// capture has: the task log).
/// </summary>
internal sealed class JsonFixtureHandler(params (string PathSuffix, string Fixture)[] routes) : HttpMessageHandler
{
    public List<string> Paths { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        Paths.Add(path);
        var route = routes.First(r => path.EndsWith(r.PathSuffix, StringComparison.Ordinal));
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(Body(route.Fixture), Encoding.UTF8, "application/json"),
            RequestMessage = request,
        });
    }

    private static string Body(string fixture)
    {
        if (fixture.StartsWith('{'))
        {
            return fixture;
        }

        var parts = fixture.Split('#', 2);
        var text = File.ReadAllText(ResearchFiles.Fixture(parts[0]));
        if (parts.Length == 1)
        {
            return text;
        }

        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty(parts[1]).GetRawText();
    }
}
