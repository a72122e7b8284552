using System.Net;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>The live event stream (SSE) the web UI follows: what the owner sees change, others never see.</summary>
[Collection(VmCollection.Name)]
public sealed class EventsTests
{
    [Fact]
    public async Task OwnerSeesMachineGoRunning_OtherStudentSeesNothingOfIt()
    {
        await using var server = await ServerHarness.StartAsync();
        var ownerTokens = await LoginAsync(server, "ella");
        var otherTokens = await LoginAsync(server, "finn");
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // EventSource sends no headers: a single-use ticket, asked for with the bearer token, opens the stream.
        using var ownerStream = await EventStreams.OpenAsync(http, server, ownerTokens, null, stop.Token);
        using var otherStream = await EventStreams.OpenAsync(http, server, otherTokens, null, stop.Token);
        var ownerReader = new StreamReader(await ownerStream.Content.ReadAsStreamAsync(stop.Token));
        var otherText = new StringBuilder();
        var otherReading = ReadAllAsync(new StreamReader(await otherStream.Content.ReadAsStreamAsync(stop.Token)), otherText, stop.Token);

        using var owner = server.ClientWith(ownerTokens);
        using var created = await owner.PostAsync(ApiPaths.Rooms, new StringContent(
            "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: live }\nmachines:\n  - { name: m, template: tiny }\n", Encoding.UTF8, "application/yaml"), stop.Token);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var seen = new StringBuilder();
        string? line;
        while ((line = await ownerReader.ReadLineAsync(stop.Token)) is not null)
        {
            seen.AppendLine(line);
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("\"state\":\"running\"", StringComparison.Ordinal) && line.Contains("\"guestReady\":true", StringComparison.Ordinal))
            {
                break;
            }
        }

        var text = seen.ToString();
        Assert.Contains("event: room", text, StringComparison.Ordinal);
        Assert.Contains("event: machine", text, StringComparison.Ordinal);
        Assert.Contains("event: task", text, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"live\"", text, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(2));
        // The room's name, not the word (": keep-alive" comments contain "live").
        Assert.DoesNotContain("\"name\":\"live\"", otherText.ToString(), StringComparison.Ordinal);
        await stop.CancelAsync();
        await otherReading;

        // Another user's room id: 404, no stream.
        var roomId = System.Text.Json.JsonDocument.Parse(text.Split('\n').First(l => l.StartsWith("data:", StringComparison.Ordinal) && l.Contains("\"name\":\"live\"", StringComparison.Ordinal))[5..])
            .RootElement.GetProperty("id").GetString();
        using var other = server.ClientWith(otherTokens);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(ApiPaths.Prefix + "/events?room=" + roomId)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(ApiPaths.Prefix + "/events?ticket=garbage")).StatusCode);
    }

    private static async Task<string> LoginAsync(ServerHarness server, string name)
    {
        using var session = await Users.AddAndLoginAsync(server, name, PlatformRoles.Student);
        return session.Client.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    private static async Task ReadAllAsync(StreamReader reader, StringBuilder into, CancellationToken ct)
    {
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                into.AppendLine(line);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is done listening.
        }
    }
}
