using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent.Remote;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// The registry of open browser consoles (ADR 0046): a disable, role change or deletion ends exactly the sessions it
/// concerns, and the relay then tells the browser why with a policy-violation close instead of dropping the socket.
/// </summary>
public sealed class ConsoleSessionsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void EndForUser_EndsThatUsersSessionsOnly_WithTheReason()
    {
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System);
        using var samA = sessions.Open(Grant("sam", "vm-a"), CancellationToken.None);
        using var samB = sessions.Open(Grant("sam", "vm-b"), CancellationToken.None);
        using var vera = sessions.Open(Grant("vera", "vm-a"), CancellationToken.None);

        Assert.Equal(2, sessions.EndForUser("sam", ConsoleSessions.AccountDisabled));

        Assert.True(samA.Token.IsCancellationRequested && samB.Token.IsCancellationRequested);
        Assert.Equal((ConsoleSessions.AccountDisabled, ConsoleSessions.AccountDisabled), (samA.EndReason, samB.EndReason));
        Assert.False(vera.Token.IsCancellationRequested);
        Assert.Null(vera.EndReason);
        // Ended once: the first reason stays.
        Assert.Equal(0, sessions.EndForUser("sam", ConsoleSessions.RoleChanged));
        Assert.Equal(ConsoleSessions.AccountDisabled, samA.EndReason);
    }

    [Fact]
    public void EndForMachines_EndsEverySessionOnThoseMachines()
    {
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System);
        using var samA = sessions.Open(Grant("sam", "vm-a"), CancellationToken.None);
        using var veraA = sessions.Open(Grant("vera", "vm-a"), CancellationToken.None);
        using var samB = sessions.Open(Grant("sam", "vm-b"), CancellationToken.None);

        Assert.Equal(2, sessions.EndForMachines(["vm-a", "vm-gone"], ConsoleSessions.MachineDeleted));

        Assert.Equal((ConsoleSessions.MachineDeleted, ConsoleSessions.MachineDeleted, (string?)null), (samA.EndReason, veraA.EndReason, samB.EndReason));
        Assert.Equal(0, sessions.EndForMachines([], ConsoleSessions.MachineDeleted));
    }

    [Fact]
    public void ClosedSession_IsForgotten_AndTheBrowserGoingAwayIsNoEnd()
    {
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System);
        using var browser = new CancellationTokenSource();
        var session = sessions.Open(Grant("sam", "vm-a"), browser.Token);
        browser.Cancel();

        Assert.True(session.Token.IsCancellationRequested);
        Assert.Null(session.EndReason);
        session.Dispose();
        Assert.Equal(0, sessions.Count);
        Assert.Equal(0, sessions.EndForUser("sam", ConsoleSessions.AccountDisabled));
        Assert.False(session.End(ConsoleSessions.AccountDisabled));
    }

    [Fact]
    public async Task EndedMidRelay_BrowserGetsPolicyViolationWithTheReason()
    {
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System);
        var (browser, gateway) = await PairAsync();
        var (consoleFar, consoleNear) = await PairAsync();
        using var browserSocket = WebSocket.CreateFromStream(browser.GetStream(), new WebSocketCreationOptions { IsServer = false });
        using var gatewaySocket = WebSocket.CreateFromStream(gateway.GetStream(), new WebSocketCreationOptions { IsServer = true });
        using (consoleFar)
        using (consoleNear)
        using (browser)
        using (gateway)
        {
            using var session = sessions.Open(Grant("sam", "vm-a"), CancellationToken.None);
            // What ConsoleGateway.RelayAsync does.
            var relay = ConsoleRelay.PumpAsync(gatewaySocket, consoleNear.GetStream(), session.Token,
                () => session.EndReason is { } reason ? (WebSocketCloseStatus.PolicyViolation, reason) : (WebSocketCloseStatus.NormalClosure, "console closed"));

            // The relay works: the console's bytes reach the browser.
            await consoleFar.GetStream().WriteAsync(Encoding.ASCII.GetBytes("login: "));
            var buffer = new byte[64];
            var first = await browserSocket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Bound);
            Assert.Equal("login: ", Encoding.ASCII.GetString(buffer, 0, first.Count));

            Assert.Equal(1, sessions.EndForUser("sam", ConsoleSessions.AccountDisabled));

            var closed = await browserSocket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Bound);
            Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
            Assert.Equal((WebSocketCloseStatus.PolicyViolation, ConsoleSessions.AccountDisabled), (browserSocket.CloseStatus, browserSocket.CloseStatusDescription));
            await browserSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(Bound);
            await relay.WaitAsync(Bound);
        }
    }

    private static async Task<(TcpClient Client, TcpClient Server)> PairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        return (client, await listener.AcceptTcpClientAsync());
    }

    [Fact]
    public void ViewersOf_ListsOtherUsersOpenConsoles_OldestFirst_WithWatchOnly_AndNotTheCallersOwn()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, time);
        using var own = sessions.Open(Grant("sam", "vm-a"), CancellationToken.None);
        using var teacher = sessions.Open(Grant("teach", "vm-a") with { Watch = true }, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        using var admin = sessions.Open(Grant("ada", "vm-a") with { Kind = "serial" }, CancellationToken.None);
        using var elsewhere = sessions.Open(Grant("teach", "vm-b"), CancellationToken.None);

        var viewers = sessions.ViewersOf("vm-a", exceptUserId: "sam");
        Assert.Equal(
            [new("teach", "vnc", true, time.GetUtcNow().AddSeconds(-5)), new("ada", "serial", false, time.GetUtcNow())],
            viewers);

        // An ended console is no longer listed (it is on its way out), nor one closed.
        admin.End(ConsoleSessions.RoleChanged);
        teacher.Dispose();
        Assert.Empty(sessions.ViewersOf("vm-a", exceptUserId: "sam"));
        Assert.Single(sessions.ViewersOf("vm-a", exceptUserId: "teach"));
    }

    private static ConsoleGrant Grant(string user, string vm) => new(user, user, "student", vm, "local", $"machine {vm}", "vnc");
}
