using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Qmp;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Qmp;

public sealed class QmpClientTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _directory = new("svl-qmp");

    private string SocketPath => _directory.Sub("qmp.sock");

    [Fact]
    public async Task Connect_ReadsGreetingAndNegotiatesCapabilitiesFirst()
    {
        await using var server = new FakeQmpServer(SocketPath, (_, _) => Task.CompletedTask);

        await using var client = await Connect();

        Assert.Equal(7, client.Greeting["version"]!["qemu"]!["major"]!.GetValue<int>());
        Assert.Equal(["qmp_capabilities"], server.Commands);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Execute_EventBeforeReply_ReplyMatchesAndEventGoesToEventStream()
    {
        await using var server = new FakeQmpServer(SocketPath, async (request, connection) =>
        {
            await connection.EventAsync("POWERDOWN");
            await connection.ReplyAsync(request, new JsonObject { ["status"] = "running", ["running"] = true });
        });
        await using var client = await Connect();

        var result = await client.ExecuteAsync("query-status", null, Timeout, CancellationToken.None);

        Assert.Equal("running", result!["status"]!.GetValue<string>());
        var qmpEvent = await Bounded.WithinAsync(client.Events.ReadAsync().AsTask(), Timeout, "the POWERDOWN event");
        Assert.Equal("POWERDOWN", qmpEvent.Name);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(2500), qmpEvent.Timestamp);
    }

    [Fact]
    public async Task Execute_RepliesOutOfOrder_EachCallerGetsItsOwnReply()
    {
        var first = new TaskCompletionSource<(JsonObject, FakeQmpServer.Connection)>();
        await using var server = new FakeQmpServer(SocketPath, async (request, connection) =>
        {
            if (request["execute"]!.GetValue<string>() == "first")
            {
                first.SetResult((request, connection));
                return;
            }

            // Answer "second" first, then the held "first".
            await connection.ReplyAsync(request, "two");
            var (held, heldConnection) = await first.Task;
            await heldConnection.ReplyAsync(held, "one");
        });
        await using var client = await Connect();

        var one = client.ExecuteAsync("first", null, Timeout, CancellationToken.None);
        await Bounded.WithinAsync(first.Task, Timeout, "the first command to arrive");
        var two = client.ExecuteAsync("second", null, Timeout, CancellationToken.None);

        Assert.Equal("two", (await two)!.GetValue<string>());
        Assert.Equal("one", (await one)!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_NoReply_ThrowsTransientDriverExceptionAfterTimeout()
    {
        await using var server = new FakeQmpServer(SocketPath, (_, _) => Task.CompletedTask);
        await using var client = await Connect();

        var error = await Assert.ThrowsAsync<DriverException>(
            () => client.ExecuteAsync("query-status", null, TimeSpan.FromMilliseconds(200), CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Contains("query-status", error.Message, StringComparison.Ordinal);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Execute_ErrorReply_ThrowsDriverExceptionWithClassAndDescription()
    {
        await using var server = new FakeQmpServer(SocketPath, (request, connection) =>
            connection.ErrorAsync(request, "CommandNotFound", "The command nope has not been found"));
        await using var client = await Connect();

        var error = await Assert.ThrowsAsync<DriverException>(
            () => client.ExecuteAsync("nope", null, Timeout, CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Contains("CommandNotFound", error.Message, StringComparison.Ordinal);
        Assert.Contains("The command nope has not been found", error.Message, StringComparison.Ordinal);
        Assert.Equal("CommandNotFound", error.Data["QmpErrorClass"]);
    }

    [Fact]
    public async Task Execute_ConnectionClosedMidCommand_ThrowsTransientAndCompletesEvents()
    {
        await using var server = new FakeQmpServer(SocketPath, (_, connection) =>
        {
            connection.Close();
            return Task.CompletedTask;
        });
        await using var client = await Connect();

        var error = await Assert.ThrowsAsync<DriverException>(
            () => client.ExecuteAsync("quit", null, Timeout, CancellationToken.None));

        Assert.True(error.IsTransient);
        await Bounded.WithinAsync(client.Events.Completion, Timeout, "the event stream to complete");
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<DriverException>(() => client.ExecuteAsync("query-status", null, Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task Connect_NoGreeting_ThrowsTransientTimeout()
    {
        await using var server = new FakeQmpServer(SocketPath, (_, _) => Task.CompletedTask, greet: false);

        var error = await Assert.ThrowsAsync<DriverException>(() => QmpClient.ConnectAsync(
            SocketPath, TimeSpan.FromMilliseconds(200), TimeProvider.System, NullLogger.Instance, CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Contains("greet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NoSocket_ThrowsTransient()
    {
        var error = await Assert.ThrowsAsync<DriverException>(() => QmpClient.ConnectAsync(
            SocketPath, Timeout, TimeProvider.System, NullLogger.Instance, CancellationToken.None));

        Assert.True(error.IsTransient);
    }

    public void Dispose() => _directory.Dispose();

    private Task<QmpClient> Connect() =>
        QmpClient.ConnectAsync(SocketPath, Timeout, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
}
