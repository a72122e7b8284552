using System.Net;
using System.Text;
using SkillVL.ProxmoxSimulator;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>
/// Answers every request with one captured PVE response (<c>fixtures/*.http</c>: status line with PVE's reason phrase,
/// blank line, body), so error mapping is tested on what PVE really sent, including the old bodies without <c>message</c>.
/// </summary>
internal sealed class FixtureReplayHandler(string fixture) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var lines = File.ReadAllLines(ResearchFiles.Fixture(fixture)).Where(l => !l.StartsWith('#')).ToList();
        var status = lines[0].Split(' ', 3);
        var body = string.Join('\n', lines.Skip(1)).Trim();
        return Task.FromResult(new HttpResponseMessage((HttpStatusCode)int.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture))
        {
            ReasonPhrase = status[2],
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        });
    }
}
