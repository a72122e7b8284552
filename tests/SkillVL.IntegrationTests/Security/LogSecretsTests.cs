using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Data;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11 finding 2: a browser session's secrets (password, access and refresh tokens, event and console tickets,
/// API token secrets) never reach a file under the data directory or the Server's output, the event stream takes
/// no token in its URL, the data directory is 0700 and its secrets 0600, and the Server reads its own appsettings.json
/// wherever it is started from.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class LogSecretsTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: sec }
        machines:
          - { name: box, template: tiny }
        """;

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    // The node gives the unprivileged QEMU user's group search on the data directory and read-write on the disks (ADR 0016).
    private const UnixFileMode DataDirectoryMode = OwnerOnlyDirectory | UnixFileMode.GroupExecute;
    private const UnixFileMode DiskMode = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    [Fact]
    public async Task Issue11_BrowserSession_LeavesNoSecretInAnyFileOrLog_AndFilesAreOwnerOnly()
    {
        // Request, authentication and OpenIddict logging turned up: every URL, header decision and token request is
        // logged, the worst an operator could configure. None of it may carry a secret.
        await using var server = await ServerProcess.StartAsync([
            "--Logging:LogLevel:Microsoft.AspNetCore=Debug", "--Logging:LogLevel:OpenIddict=Debug",
            "--Logging:LogLevel:System.Net.Http.HttpClient=Debug",
        ]);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        using var admin = server.ClientWith(server.AdminToken);
        var password = "pw-" + Guid.NewGuid().ToString("N");
        secrets["password"] = password;
        using (var created = await admin.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest("sally", PlatformRoles.Student, password), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Login as the web UI does (code + PKCE at the embedded issuer), and a refresh.
        var login = await EmbeddedLogin.LoginAsync(server.BaseUrl, "sally", password);
        var refreshed = await EmbeddedLogin.RefreshAsync(server.BaseUrl, login.RefreshToken!);
        secrets["access token"] = login.AccessToken;
        secrets["refreshed access token"] = refreshed.AccessToken;
        using var sally = server.ClientWith(refreshed.AccessToken);

        // The event stream: the token in the URL is refused; a ticket opens it.
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using (var refused = await anonymous.GetAsync(ApiPaths.Prefix + "/events?access_token=" + Uri.EscapeDataString(refreshed.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ticket = await Users.ReadAsync<EventStreamTicket>(await sally.PostAsync(ApiPaths.Prefix + "/events/tickets", null, stop.Token), HttpStatusCode.OK);
        secrets["event ticket"] = ticket.Url[(ticket.Url.IndexOf("ticket=", StringComparison.Ordinal) + 7)..];
        using var stream = await anonymous.GetAsync(ticket.Url, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using (var again = await anonymous.GetAsync(ticket.Url, stop.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        }

        // A machine, and its serial console through a ticket.
        var apply = await Users.ReadAsync<TaskInfo>(await sally.PostAsync(ApiPaths.Rooms, new StringContent(Room, Encoding.UTF8, "application/yaml"), stop.Token), HttpStatusCode.Accepted);
        await Bounded.WaitUntilAsync(
            async () => TaskStates.IsFinal((await admin.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(apply.Id), ServerHarness.Json, stop.Token))!.State),
            TimeSpan.FromMinutes(3), "the room to come up", TimeSpan.FromMilliseconds(500), stop.Token);
        var console = await Users.ReadAsync<ConsoleTicket>(
            await sally.PostAsJsonAsync(ApiPaths.Machine("sec", "box") + "/console/tickets", new ConsoleTicketRequest("serial"), ServerHarness.Json, stop.Token), HttpStatusCode.OK);
        secrets["console ticket"] = console.Url[(console.Url.IndexOf("ticket=", StringComparison.Ordinal) + 7)..];
        var wsUrl = new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + console.Url);
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(wsUrl, stop.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("\r"), WebSocketMessageType.Binary, true, stop.Token);
            var buffer = new byte[4096];
            using var read = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            read.CancelAfter(TimeSpan.FromSeconds(20));
            Assert.True((await socket.ReceiveAsync(buffer, read.Token)).Count > 0);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", stop.Token);
        }

        using (var reused = new ClientWebSocket())
        {
            await Assert.ThrowsAnyAsync<WebSocketException>(() => reused.ConnectAsync(wsUrl, stop.Token));
        }

        // A personal API token, used once; a wrong one refused.
        var token = await Users.ReadAsync<CreatedApiToken>(
            await sally.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("ci", [ApiTokenScopes.Read]), ServerHarness.Json, stop.Token), HttpStatusCode.Created);
        secrets["API token"] = token.Token;
        using (var withToken = server.ClientWith(token.Token))
        {
            Assert.Equal(HttpStatusCode.OK, (await withToken.GetAsync(ApiPaths.Rooms, stop.Token)).StatusCode);
        }

        using (var wrong = server.ClientWith(token.Token[..^4] + "AAAA"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(ApiPaths.Rooms, stop.Token)).StatusCode);
        }

        // Modes while everything exists: the directory 0710 (QEMU's group may pass, not list); the database, its WAL,
        // the log, the keys 0600; the disk 0660 for QEMU's group.
        var data = server.DataDirectory;
        Assert.Equal(DataDirectoryMode, File.GetUnixFileMode(data));
        var disks = Directory.GetFiles(Path.Combine(data, "vms"), "disk.qcow2", SearchOption.AllDirectories);
        Assert.NotEmpty(disks);
        var secretFiles = new[] { "skillvl.db", "skillvl.db-wal", "skillvl.db-shm", "admin-token", Path.Combine("logs", "server.log") }
            .Select(f => Path.Combine(data, f)).Where(File.Exists)
            .Concat(Directory.GetFiles(Path.Combine(data, "oidc")))
            .Concat(Directory.GetFiles(Path.Combine(data, "ca"), "*key*"))
            .ToList();
        Assert.All(disks, f => Assert.True(File.GetUnixFileMode(f) == DiskMode, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.Contains(Path.Combine(data, "logs", "server.log"), secretFiles);
        Assert.Contains(Path.Combine(data, "skillvl.db-wal"), secretFiles);
        Assert.All(secretFiles, f => Assert.True(File.GetUnixFileMode(f) == OwnerOnlyFile, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(data, "logs")));

        await stop.CancelAsync();
        using (var delete = await sally.DeleteAsync(ApiPaths.Room("sec")))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await server.StopAsync();

        // The log was written (the requests are in it, redacted) …
        var log = await File.ReadAllTextAsync(Path.Combine(data, "logs", "server.log"));
        Assert.Contains("/api/v1/events?access_token=[redacted]", log, StringComparison.Ordinal);
        Assert.Contains("/console/ws?ticket=[redacted]", log, StringComparison.Ordinal);
        // … and no secret is in any file under the data directory, nor in what the process printed.
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            found.AddRange(secrets.Where(s => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(s.Value)) >= 0).Select(s => $"{s.Key} in {file}"));
        }

        // Refresh tokens: never in a log (the issuer's database keeps what it needs to redeem them).
        secrets["refresh token"] = login.RefreshToken!;
        secrets["refreshed refresh token"] = refreshed.RefreshToken!;
        found.AddRange(secrets.Where(s => log.Contains(s.Value, StringComparison.Ordinal) && s.Key.Contains("refresh token", StringComparison.Ordinal))
            .Select(s => $"{s.Key} in logs/server.log"));
        var output = server.Output;
        Assert.Contains("Request starting", output, StringComparison.Ordinal);
        found.AddRange(secrets.Where(s => output.Contains(s.Value, StringComparison.Ordinal)).Select(s => $"{s.Key} in the process output"));
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public async Task Issue11_ServerStartedFromAnotherDirectory_ReadsItsOwnAppsettings()
    {
        // A working directory with an appsettings.json of its own (as the repository root could have): it must not count.
        await using var server = await ServerProcess.StartAsync([], cwd => File.WriteAllText(Path.Combine(cwd, "appsettings.json"),
            """{ "Logging": { "LogLevel": { "Default": "Trace", "Microsoft.EntityFrameworkCore": "Trace" } } }"""));
        using var admin = server.ClientWith(server.AdminToken);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(ApiPaths.Rooms)).StatusCode);
        }

        await server.StopAsync();
        var output = server.Output;
        Assert.Contains("Configuration files: " + Path.Combine(AppContext.BaseDirectory, "appsettings.json"), output, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.Combine(server.WorkingDirectory, "appsettings.json"), output, StringComparison.Ordinal);
        // Its levels hold: no EF Core command text, no per-request lines.
        Assert.DoesNotContain("Executed DbCommand", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.Contains("SkillVL listening on", await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "logs", "server.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue11_EventStreamTokenInUrl_IsRefused_AndLaxModesAreFixedAtStart()
    {
        await using var server = await ServerHarness.StartAsync();
        using var ann = await Users.AddAndLoginAsync(server, "ann", PlatformRoles.Student);
        var bearer = ann.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ApiPaths.Prefix + "/events?access_token=" + bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ApiPaths.Prefix + "/events?ticket=" + bearer)).StatusCode);
        // Only a signed-in caller gets a ticket.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(ApiPaths.Prefix + "/events/tickets", null)).StatusCode);

        // EF Core never logs parameter values, whatever the levels.
        var factory = server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.False(db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()!.IsSensitiveDataLoggingEnabled);
        }

        // An older version's lax modes are tightened at the next start.
        var data = server.DataDirectory;
        var laxFile = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var files = new[] { "skillvl.db", "admin-token", Path.Combine("logs", "server.log"), Path.Combine("oidc", "signing-key.pem") }.Select(f => Path.Combine(data, f)).ToList();
        await server.RestartAsync(() =>
        {
            File.SetUnixFileMode(data, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            files.ForEach(f => File.SetUnixFileMode(f, laxFile));
        });
        Assert.Equal(DataDirectoryMode, File.GetUnixFileMode(data));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == OwnerOnlyFile, $"{f} is {File.GetUnixFileMode(f)}"));
    }
}
