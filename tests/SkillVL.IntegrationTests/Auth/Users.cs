using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using Xunit;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>Makes users through the API as admin and logs them in at the embedded issuer.</summary>
public static class Users
{
    /// <summary>A logged-in user: their id and an HTTP client carrying their OIDC access token.</summary>
    public sealed record Session(string Id, string Username, string Password, HttpClient Client) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }

    public static async Task<Session> AddAndLoginAsync(ServerHarness server, string username, string role)
    {
        var password = $"pw-{username}-{Guid.NewGuid():N}"[..24];
        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest(username, role, password), ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"user add answered {(int)response.StatusCode}: {body}");
        var created = JsonSerializer.Deserialize<CreatedUser>(body, ServerHarness.Json)!;
        var tokens = await EmbeddedLogin.LoginAsync(server.BaseUrl, username, password);
        return new Session(created.User.Id, username, password, server.ClientWith(tokens.AccessToken));
    }

    /// <summary>The user creates a room from <paramref name="yaml"/>; returns it once its task succeeded (2 minutes at most).</summary>
    public static async Task<RoomDetails> CreateRoomAsync(ServerHarness server, Session user, string yaml)
    {
        var created = await ReadAsync<TaskInfo>(await user.Client.PostAsync(ApiPaths.Rooms, new StringContent(yaml, Encoding.UTF8, "application/yaml")), HttpStatusCode.Accepted);
        var done = await server.WaitTaskAsync(created.Id, TimeSpan.FromMinutes(2));
        Assert.True(done.State == TaskStates.Succeeded, $"creating the room: {done.State}, {done.Outcome}");
        var name = Core.Rooms.RoomDocument.Parse(yaml).Definition!.Metadata.Name;
        return (await user.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room(name), ServerHarness.Json))!;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return JsonSerializer.Deserialize<T>(body, ServerHarness.Json)!;
    }
}
